import { Readability } from '@mozilla/readability';
import { cleanParagraphs } from '../knowledge/clean.js';
import {
  all,
  type DomDocument,
  type DomElement,
  type DomNode,
  ELEMENT_NODE,
  parseDocument,
  squash,
  TEXT_NODE,
} from './dom.js';
import { type PageMetadata, readMetadata, siteHost } from './metadata.js';

/**
 * From a fetched page to a draft article. Mozilla's Readability (Firefox Reader View) finds the story in
 * the page; its blocks become paragraphs, one per <p>, heading, list item or quotation, with whitespace made
 * single spaces and every word kept as published. The knowledge base's own furniture rules
 * (`cleanParagraphs`, the same the loader applies) then drop promos, share prompts and link lists, so an
 * article added from a link is cleaned exactly like one pasted by hand. What cannot be used is said plainly:
 * a paywall, a page that is not an article, a missing date.
 */

/** A line left out of the draft, and why (a caption, a table, or a furniture rule's reason). */
export interface DroppedLine {
  text: string;
  reason: string;
}

/** An article as read from a page, before it is saved; a moderator may still fix its title or date. */
export interface DraftArticle {
  title: string | null;
  publisher: string;
  /** YYYY-MM-DD, or null when the page gives no date (the moderator must give one). */
  published: string | null;
  /** The article's own address (canonical), or null for a saved file that names none. */
  url: string | null;
  author: string | null;
  /** Where the text came from when there is no url (a saved file's name). */
  source: string | null;
  /** The story, one verbatim paragraph per entry, furniture removed. */
  paragraphs: string[];
  dropped: DroppedLine[];
}

export type ProblemCode = 'paywall' | 'not-article' | 'no-title' | 'no-date' | 'date' | 'check';

/** Something the moderator should know; `blocking` problems stop the draft from being saved as it is. */
export interface Problem {
  code: ProblemCode;
  message: string;
  blocking: boolean;
}

export interface ExtractResult {
  draft: DraftArticle;
  problems: Problem[];
  /** Which page metadata gave each field ("og:title", "JSON-LD datePublished", …), for the preview. */
  sources: { title: string | null; publisher: string | null; published: string | null; url: string | null };
}

export interface ExtractInput {
  /** The page's HTML (or plain text when `contentType` is text/plain). */
  body: string;
  contentType?: string;
  /** Where the page was fetched from; null for a saved file. */
  url: string | null;
  /** A saved file's name, recorded as the article's `source` when the page names no address. */
  sourceName?: string;
}

/** Fewer words than this after cleaning is not an article (an index page, a video page, an error page). */
export const MIN_ARTICLE_WORDS = 120;
export const MIN_ARTICLE_PARAGRAPHS = 3;
/** A page marked for subscribers with fewer readable words than this is taken to be cut off by a paywall. */
export const PAYWALL_MAX_WORDS = 250;

/** Elements that are never the story's text; removed before Readability looks at the page. */
const NEVER_TEXT =
  'script, style, noscript, template, iframe, svg, canvas, button, select, dialog, nav, aside, [hidden], [aria-hidden="true"], [role="dialog"], [role="navigation"], [role="complementary"], [role="alertdialog"]';

const BLOCK = new Set(
  'ADDRESS ARTICLE ASIDE BLOCKQUOTE DD DETAILS DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY TD TFOOT TH THEAD TR UL'.split(
    ' ',
  ),
);
/** Blocks whose text is not running prose: recorded as dropped with this reason. */
const NOT_PROSE: Record<string, string> = {
  FIGURE: 'figure caption',
  FIGCAPTION: 'figure caption',
  TABLE: 'table',
  PICTURE: 'image',
  VIDEO: 'video',
  AUDIO: 'audio',
};

const PAYWALL_CLASS =
  /\b(?:paywall|pay-wall|piano|regwall|subscriber-only|subscribers-only|premium-(?:content|article|lock)|meter(?:ed)?-?wall)\b/i;
const PAYWALL_TEXT =
  /\b(?:subscribe (?:now )?to (?:continue|keep|read) reading|to (?:continue|keep) reading,? (?:please )?(?:subscribe|sign in|log in|register|become a)|(?:this|the rest of this) (?:article|story|content) is (?:only )?(?:available )?(?:for|to) (?:subscribers|members|premium)|already a (?:subscriber|member)\?|become a (?:subscriber|member) to (?:read|continue)|unlock (?:this|the full) (?:article|story)|for subscribers only|subscribers only)\b/i;

/**
 * Extracts a draft article from a page. Pure: no network, no files.
 *
 * @example extractArticle({ body: html, url: 'https://www.bbc.co.uk/news/uk-england-1' }).draft.paragraphs
 */
export function extractArticle(input: ExtractInput): ExtractResult {
  const type = (input.contentType ?? 'text/html').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/plain') return fromPlainText(input);

  const doc = parseDocument(input.body);
  const meta = readMetadata(doc, input.url);
  const paywallMarked = meta.accessibleForFree === false || hasPaywallMarker(doc);

  for (const el of all(doc, NEVER_TEXT)) el.remove();
  const dropped: DroppedLine[] = [];
  const raw = readStory(doc, dropped);
  // Readability keeps the headline as the story's first heading; it is the title, not a paragraph.
  const title = meta.title?.value ?? null;
  while (raw.length && title && fold(raw[0] ?? '') === fold(title)) {
    dropped.push({ text: raw.shift() ?? '', reason: 'headline (the title)' });
  }
  const cleaned = cleanParagraphs(raw);
  for (const d of cleaned.dropped) dropped.push({ text: d.text, reason: d.reason });
  const paragraphs = cleaned.kept.map((k) => k.text);

  const draft: DraftArticle = {
    title,
    publisher: meta.publisher?.value ?? 'unknown publisher',
    published: meta.published?.value ?? null,
    url: meta.url?.value ?? null,
    author: meta.author?.value ?? null,
    source: meta.url ? null : (input.sourceName ?? null),
    paragraphs,
    dropped,
  };
  return {
    draft,
    problems: problemsOf(draft, meta, paywallMarked, linkDensity(doc)),
    sources: {
      title: meta.title?.source ?? null,
      publisher: meta.publisher?.source ?? null,
      published: meta.published?.source ?? null,
      url: meta.url?.source ?? null,
    },
  };
}

const fold = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function hasPaywallMarker(doc: DomDocument): boolean {
  for (const el of all(doc, '[class], [id], [data-paywall]')) {
    if (el.hasAttribute('data-paywall')) return true;
    if (PAYWALL_CLASS.test(`${el.getAttribute('class') ?? ''} ${el.id}`)) return true;
  }
  return PAYWALL_TEXT.test(squash(doc.body?.textContent));
}

/** Runs Readability and turns its content into paragraph strings (verbatim text, single spaces). */
function readStory(doc: DomDocument, dropped: DroppedLine[]): string[] {
  let content: DomElement | null | undefined = null;
  try {
    const reader = new Readability<DomElement>(
      doc as unknown as ConstructorParameters<typeof Readability>[0],
      {
        serializer: (node) => node as unknown as DomElement,
      },
    );
    content = reader.parse()?.content;
  } catch {
    content = null;
  }
  if (!content) return [];
  const out: string[] = [];
  blocksOf(content, out, dropped);
  return out;
}

/**
 * Walks the content: a block with no block inside it is one paragraph; runs of text and inline elements
 * between blocks are paragraphs too. <br> reads as a space, as it does on screen.
 */
function blocksOf(el: DomElement, out: string[], dropped: DroppedLine[]): void {
  let inline = '';
  const flush = (): void => {
    const t = squash(inline);
    if (t) out.push(t);
    inline = '';
  };
  for (const node of Array.from(el.childNodes)) {
    if (node.nodeType === TEXT_NODE) {
      inline += node.textContent ?? '';
      continue;
    }
    if (node.nodeType !== ELEMENT_NODE) continue;
    const child = node as DomElement;
    const tag = child.tagName.toUpperCase();
    const notProse = NOT_PROSE[tag];
    if (notProse) {
      flush();
      const t = squash(textOf(child));
      if (t) dropped.push({ text: t, reason: notProse });
    } else if (tag === 'BR') inline += ' ';
    else if (!BLOCK.has(tag)) inline += textOf(child);
    else {
      flush();
      if (hasBlockInside(child)) blocksOf(child, out, dropped);
      else {
        const t = squash(textOf(child));
        if (t) out.push(t);
      }
    }
  }
  flush();
}

function hasBlockInside(el: DomElement): boolean {
  return Array.from(el.children).some((c) => {
    const tag = c.tagName.toUpperCase();
    return BLOCK.has(tag) || tag in NOT_PROSE || hasBlockInside(c);
  });
}

/** The text a reader sees: text nodes in order, <br> as a space. */
function textOf(node: DomNode): string {
  if (node.nodeType === TEXT_NODE) return node.textContent ?? '';
  if (node.nodeType !== ELEMENT_NODE) return '';
  if (node.nodeName.toUpperCase() === 'BR') return ' ';
  let s = '';
  for (const c of Array.from(node.childNodes)) s += textOf(c);
  return s;
}

/** Share of the page body's text that sits inside links: high on index pages, low in stories. */
function linkDensity(doc: DomDocument): number {
  const body = doc.body;
  if (!body) return 0;
  const total = squash(body.textContent).length;
  if (total === 0) return 0;
  const linked = all(body, 'a').reduce((n, a) => n + squash(a.textContent).length, 0);
  return linked / total;
}

const wordCount = (paragraphs: readonly string[]): number =>
  paragraphs.reduce((n, p) => n + p.split(' ').filter(Boolean).length, 0);

function problemsOf(
  draft: DraftArticle,
  meta: PageMetadata,
  paywallMarked: boolean,
  density: number,
): Problem[] {
  const problems: Problem[] = [];
  const words = wordCount(draft.paragraphs);
  const saysArticle =
    meta.ogType === 'article' ||
    meta.types.some((t) => /article|posting|report/i.test(t)) ||
    !!meta.published;
  if (paywallMarked && words < PAYWALL_MAX_WORDS) {
    problems.push({
      code: 'paywall',
      message: `the article is behind a paywall: only ${words} words can be read without subscribing`,
      blocking: true,
    });
  } else if (!saysArticle && density > 0.5) {
    problems.push({
      code: 'not-article',
      message: `this looks like an index or section page (most of its text is links), not one article: give the article's own link`,
      blocking: true,
    });
  } else if (words < MIN_ARTICLE_WORDS || draft.paragraphs.length < MIN_ARTICLE_PARAGRAPHS) {
    problems.push({
      code: 'not-article',
      message: `this does not look like a news article: only ${words} words of story text in ${draft.paragraphs.length} paragraph(s) were found`,
      blocking: true,
    });
  } else if (paywallMarked) {
    problems.push({
      code: 'check',
      message: 'the page is marked for subscribers: check the text below is the whole article',
      blocking: false,
    });
  }
  if (!draft.title) problems.push({ code: 'no-title', message: 'no title found — give one', blocking: true });
  if (!draft.published)
    problems.push({
      code: 'no-date',
      message: `no publication date found — give one${meta.modified ? ` (the page says it was updated on ${meta.modified})` : ''}`,
      blocking: true,
    });
  if (meta.publisher?.source === 'web address')
    problems.push({
      code: 'check',
      message: `the page does not name its publisher; "${draft.publisher}" is its web address — give the name if you know it`,
      blocking: false,
    });
  for (const note of meta.notes) problems.push({ code: 'check', message: note, blocking: false });
  return problems;
}

/**
 * A plain-text page: paragraphs are blank-line separated blocks (their hard-wrapped lines joined with a
 * space), or single lines when the text has no blank lines. A short first line without a full stop is the
 * title. Nothing else can be known: the publisher is the web address and the date must be given.
 */
function fromPlainText(input: ExtractInput): ExtractResult {
  const text = input.body.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const blocks = /\n[ \t]*\n/.test(text) ? text.split(/\n[ \t]*\n/) : text.split('\n');
  const raw = blocks.map((b) => squash(b)).filter(Boolean);
  let title: string | null = null;
  const first = raw[0];
  if (first && first.split(' ').length <= 20 && !/[.!?]["”’]?$/u.test(first)) title = raw.shift() ?? null;
  const cleaned = cleanParagraphs(raw);
  const host = input.url ? siteHost(input.url) : null;
  const draft: DraftArticle = {
    title,
    publisher: host ?? 'unknown publisher',
    published: null,
    url: input.url,
    author: null,
    source: input.url ? null : (input.sourceName ?? null),
    paragraphs: cleaned.kept.map((k) => k.text),
    dropped: cleaned.dropped.map((d) => ({ text: d.text, reason: d.reason })),
  };
  const meta: PageMetadata = {
    title: title ? { value: title, source: 'first line' } : null,
    publisher: host ? { value: host, source: 'web address' } : null,
    published: null,
    modified: null,
    url: input.url ? { value: input.url, source: 'fetched address' } : null,
    author: null,
    types: [],
    ogType: null,
    accessibleForFree: null,
    notes: [],
  };
  return {
    draft,
    problems: problemsOf(draft, meta, false, 0),
    sources: {
      title: meta.title?.source ?? null,
      publisher: meta.publisher?.source ?? null,
      published: null,
      url: meta.url?.source ?? null,
    },
  };
}
