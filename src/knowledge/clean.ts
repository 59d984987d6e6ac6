/**
 * Page-furniture cleaner. Articles are pasted from web pages one paragraph per line, so besides the story they
 * carry promos, share/follow prompts, captions, related-link lists and sub-headings. None of that may ever be
 * quoted as if it were reporting, so it is removed here, before sentences are split and indexed.
 *
 * The rules are deliberately general (vocabulary and line shape, never one article's lines) because the bot
 * is fed articles from publishers we have not seen. When in doubt a line that reads like a sentence is kept.
 */

import { plainLine } from './markdown.js';

/** A line that survived cleaning; `index` is its 0-based line index in the input so citations stay stable. */
export interface CleanedParagraph {
  index: number;
  /** The line as a reader sees it (Markdown syntax removed). */
  text: string;
  /** A bulleted or numbered list item: it continues the line that introduced the list. */
  listItem: boolean;
  /** The sub-heading the line sits under ("What the inspectors found"), or null before any. */
  section: string | null;
}

/** A line that was removed, with a short human reason so `kb show` and reviewers can see why. */
export interface DroppedParagraph {
  index: number;
  text: string;
  reason: string;
}

/** Both sides of the split, each in input order, so nothing disappears silently. */
export interface CleanResult {
  kept: CleanedParagraph[];
  dropped: DroppedParagraph[];
}

/** What one line looks like on its own, before the surrounding lines are taken into account. */
type LineKind =
  | { kind: 'prose' }
  | { kind: 'furniture'; reason: string }
  | { kind: 'heading'; reason: string }
  | { kind: 'marker'; label: string }
  | { kind: 'inline-link'; label: string }
  | { kind: 'end'; label: string }
  | { kind: 'block-start' }
  | { kind: 'block-end' };

interface Shape {
  /** Trimmed original text. */
  text: string;
  /** Curly quotes/apostrophes made straight and whitespace collapsed, for matching only. */
  norm: string;
  words: number;
  /** Ends in . ! ? … , ; once trailing quotes/brackets are ignored. */
  sentenceEnd: boolean;
  endsWithColon: boolean;
  /** Ends in a closing quotation mark (so it may be the tail of a quote, not a title). */
  endsWithQuote: boolean;
  /** Contains any quotation mark at all. */
  hasQuote: boolean;
  /** Starts with a capital letter or digit, as titles and headlines do. */
  titleStart: boolean;
  startsLower: boolean;
  bullet: boolean;
}

const SOCIAL =
  '(?:facebook|x|twitter|instagram|tiktok|threads|linkedin|youtube|bluesky|whatsapp|snapchat|mastodon)';
const AGENCY =
  '(?:getty(?: images)?|pa(?: media| wire| archive| images)?|alamy|shutterstock|reuters|afp|ap(?: photo)?|epa|rex(?: features)?)';

/** Matched anywhere, whatever the punctuation: these phrases only occur in furniture. */
const ALWAYS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:for immediate release|embargoed\b|embargo\b)/, 'press-release header'],
  [/^(?:download|install|get|try|open|update)\b.{0,60}\bapps?\b/, 'promo: app prompt'],
  [/\b(?:app store|google play)\b/, 'promo: app prompt'],
  [/^be the first to\b/, 'promo: breaking news alert'],
  [/^(?:get|receive|turn on|enable)\b.{0,40}\b(?:alerts|notifications|updates)\b/, 'promo: alerts'],
  [/^get (?:the latest|all the latest|breaking|our)\b/, 'promo: alerts'],
  [/^(?:sign up|subscribe|register now|join (?:our|us)\b)/, 'promo: sign-up'],
  [/\b(?:sign(?:ing)? up|subscribe|inbox|straight to you)\b.*\bnewsletters?\b/, 'promo: newsletter'],
  [/\bnewsletters?\b.*\b(?:sign(?:ing)? up|subscribe|inbox|promotion)\b/, 'promo: newsletter'],
  [/\bsign up (?:to|for) (?:our|the) .{0,40}\b(?:newsletter|alerts|emails?|updates)\b/, 'promo: sign-up'],
  [/^(?:our|a free|the free|this free)\b.{0,30}\b(?:email|newsletter)s?\b/, 'promo: newsletter'],
  [
    /^(?:enter your email|thank you for (?:signing up|subscribing)|something went wrong\b|invalid email)/,
    'promo: sign-up',
  ],
  [/^privacy notice\b|\brecaptcha\b|\b(?:see|read) our privacy (?:policy|notice)\b/, 'privacy notice'],
  [new RegExp(`^(?:follow|like|find)\\b.{0,60}\\bon ${SOCIAL}\\b`), 'promo: social follow'],
  [/\bfollow us\b|^like us\b/, 'promo: social follow'],
  [new RegExp(`^(?:get|join)\\b.{0,40}\\bon ${SOCIAL}\\b`), 'promo: social follow'],
  [/\b(?:whatsapp|telegram) (?:community|channel|group)\b/, 'promo: social follow'],
  [
    /^send (?:us )?your (?:story|stories|news|pictures|photos|videos)\b|\bstory ideas\b/,
    'promo: reader contributions',
  ],
  [
    /^(?:do you have|have you got|got) a (?:story|news tip|tip)\b|^get in touch\b|^contact us\b/,
    'promo: reader contributions',
  ],
  [/^share (?:this|the|on|via|article|story|page)\b|^share(?: \d+)?$/, 'promo: share prompt'],
  [
    /\b(?:click|tap) (?:here|the link|this link|to (?:read|watch|listen|see|find|sign|subscribe))\b/,
    'promo: click prompt',
  ],
  [
    /^(?:advertisement|advertising|advert|ads?|sponsored(?: content| stories| links| by\b.*)?|promoted(?: stories| content)?|paid (?:post|content|partnership))$/,
    'advertisement',
  ],
  [
    /^(?:story|article) continues (?:below|after)\b|^continue reading\b|^skip (?:advert|ad|advertisement)s?$/,
    'advertisement',
  ],
  [
    /\bwe use cookies\b|\baccept (?:all )?cookies\b|\bcookie (?:settings|policy|preferences|consent|notice)\b/,
    'cookie notice',
  ],
  [/^(?:watch|listen|video|audio)\s*[:|]/, 'promo: watch/listen'],
  [
    /^(?:video|audio|image|images|picture|pictures|pic|pics|photo|photos|photograph|gallery|graphic|caption|credit|photo credit|image credit|image source|image caption|media caption|media source|video caption|pictured)\s*[:,|]/,
    'media caption/credit',
  ],
  [
    /^(?:listen to|watch) (?:the|our)\b.*\b(?:podcast|live|video)\b|\bwherever you get your podcasts\b/,
    'promo: watch/listen',
  ],
  [
    /^(?:watch|listen|play video|watch video|watch now|listen now|listen to (?:this|the) (?:article|story)\b.*)$/,
    'promo: watch/listen',
  ],
  [/\bpurchase licensing rights\b|\bopens new tab\b|^item \d+ of \d+\b/, 'image caption/credit'],
  [/^(?:copyright|\(c\))\b|©|\ball rights reserved\b/, 'copyright'],
  [
    /^(?:was this (?:page|article|information) (?:helpful|useful)|is this page useful|report (?:a crime|it) online\b.*|in an emergency,? (?:always )?(?:call|dial) 999)/,
    'page chrome',
  ],
  [/\bnot responsible for the content of external\b|\bour approach to external linking\b/, 'page chrome'],
  [/^this (?:article|story|piece) (?:was|has been) (?:amended|updated|corrected)\b/, 'correction note'],
  [/^our standards\b|^(?:thomson reuters )?trust principles\b/, 'page chrome'],
  [
    /^(?:\d+ )?comments?(?: \(\d+\))?$|^(?:show|view|load|read|hide|add|post|leave) (?:\d+ )?comments?\b|^(?:join the (?:conversation|discussion|debate)|have your say|comment on this (?:story|article)|want to comment)\b/,
    'comments prompt',
  ],
  [
    /^(?:tel|telephone|phone|mobile|e-?mail|media enquiries|media inquiries|press office|out of hours)\s*[:.]/,
    'contact details',
  ],
  [/^(?:https?:\/\/|www\.)\S+$/, 'link'],
  [
    /^(?:menu|home|close|loading(?:\.{3}|…)?|back to top|skip to (?:main )?content|reuse this content|save|saved|bookmark|print|email|copy link|link copied|show more|see more|load more|view more|next|previous|prev|expand|collapse|topics|tags|follow|sign in|log in|search|jump to|report an error|report a correction)$/,
    'page chrome',
  ],
];

/** Matched only when the line is not shaped like a sentence (prose can start this way). */
const WHEN_NOT_SENTENCE: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\(?(?:(?:additional )?reporting|writing|editing|edited|compiled|produced) by\b/, 'reporting credit'],
  [/^(?:published|updated|last updated|posted|first published|modified)\b/, 'timestamp'],
  [/^\d{1,2}[:.]\d{2}\b|\b\d+ (?:minutes?|mins?|hours?|hrs?|days?) ago$/, 'timestamp'],
  [
    /^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? )?\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?: \d{4})?\b/,
    'timestamp',
  ],
  [/^(?:author|reporter|words)\s*:/, 'byline'],
];

/** Link-list markers: the headline-like lines that follow them are related links, not the story. */
const MARKER =
  /^(?:read more|read next|read also|also read|see also|related|related (?:stories|articles|content|links|topics|coverage|news|reading|internet links|videos)|more on this (?:story|topic)|more (?:from|on|about|in) .+|more (?:stories|news|top stories|headlines|like this)|more|top stories|top news|latest(?: news| stories| headlines| videos)?|trending(?: now| stories| news)?|most (?:read|popular|viewed|shared|commented|watched)|popular(?: now| stories)?|recommended(?: for you| reading| stories)?|you (?:may|might) also (?:like|enjoy|be interested in)|what to read next|up next|don't miss|editor'?s'? picks|in other news|(?:from )?around the web|elsewhere on .+|explore more(?: on these topics)?|in this story|on this topic|topics in this article|featured stories|must read|what others are reading|people also read)(?: from .+)?\s*:?$/;

/** "Read more: <headline>" on one line. */
const INLINE_LINK =
  /^(read more|read next|also read|see also|related|more|recommended|latest|trending|most read|read|top story|don't miss)(?: from [^:]{1,40})?\s*:\s*\S/;

/** Everything after these lines is notes, contacts or boilerplate, never the story. */
const END_MARKER =
  /^(?:[-–—*#\s]*(?:ends|end)[-–—*#\s]*|#{3,}|notes? (?:to|for) editors?|editor'?s'? notes?)\s*:?$/;

const BLOCK_START = /^skip (?:past|over|to the end of) .*(?:promotion|newsletter|advert(?:isement)?)$/;
const BLOCK_END = /^after .*(?:promotion|newsletter|advert(?:isement)?)$/;
/** How far a "skip past … promotion" block may reach before we stop trusting it to close. */
const BLOCK_MAX_LINES = 12;

/** "Responding to the public: inadequate": a PEEL grade is content even though it reads like a label. */
const GRADE_LINE = /(?::|\s[-–—])\s*(?:outstanding|good|adequate|requires improvement|inadequate)\.?$/;

const QUESTION_START =
  /^(?:what|why|how|who|when|where|which|is|are|can|could|will|would|should|does|do|did|has|have)\b/;
const SPEECH_VERB =
  /\b(?:said|says|say|added|adding|told|tells|stated|states|explained|wrote|writes|commented|continued|warned|insisted|concluded|responded|replied|asked)\b/;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const PHONE = /(?:\+44\s?(?:\(0\)\s?)?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b/;
const CREDIT_AT_END = new RegExp(`(?:^|[\\s(/:|,])${AGENCY}\\)?$`);
const CREDIT_PAREN = new RegExp(
  `\\((?:[^()]*/\\s*${AGENCY}|(?:photo|picture|pic|image|credit)\\b)[^()]*\\)$`,
);
/** "(Jacob King/PA)"-style photographer credits, checked on the original text because case matters. */
const CREDIT_NAME_SLASH = /\(\p{Lu}[^()]*\/\s*\p{Lu}[^()]*\)$/u;
const CREDIT_LABEL_MID = /\b(?:photo|picture|pic|image|credit|photograph)\s*:\s*[^.!?]*$/;

/** Longest sub-heading we drop in running text; longer unpunctuated lines are kept as probable prose. */
const HEADING_MAX_WORDS = 14;
/** Longest related-link headline after a marker. */
const LINK_HEADLINE_MAX_WORDS = 25;

function shapeOf(text: string): Shape {
  const norm = text
    .replace(/[‘’‛`´]/g, "'")
    .replace(/[“”„‟«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const bare = text.replace(/[\s"'“”‘’»«)\]*]+$/u, '');
  return {
    text,
    norm,
    words: norm.split(' ').filter((w) => w.length > 0).length,
    sentenceEnd: /[.!?…,;]$/u.test(bare),
    endsWithColon: /:$/.test(bare) && !/[”"»]$/u.test(text),
    endsWithQuote: /[”"»]$/u.test(text) || (/’$/u.test(text) && /‘/u.test(text)),
    hasQuote: /[“”"«»]/u.test(text) || /‘[^’]*’/u.test(text),
    titleStart: /^[\p{Lu}\d]/u.test(text),
    startsLower: /^\p{Ll}/u.test(text),
    bullet: /^[•·▪●◦‣*\-–—]\s/u.test(text),
  };
}

function classify(s: Shape): LineKind {
  const { norm } = s;
  if (END_MARKER.test(norm)) return { kind: 'end', label: s.text.replace(/[:\s]+$/, '') };
  if (BLOCK_START.test(norm)) return { kind: 'block-start' };
  if (BLOCK_END.test(norm)) return { kind: 'block-end' };
  if (!s.sentenceEnd && s.words <= 10 && MARKER.test(norm)) {
    return { kind: 'marker', label: s.text.replace(/[:\s]+$/, '') };
  }
  const inline = INLINE_LINK.exec(norm);
  if (inline) {
    return { kind: 'inline-link', label: s.text.slice(0, s.text.indexOf(':')).trim() };
  }
  for (const [re, reason] of ALWAYS) if (re.test(norm)) return { kind: 'furniture', reason };

  if (EMAIL.test(norm) || PHONE.test(norm)) {
    if (
      !s.sentenceEnd ||
      /^(?:for (?:further|more) (?:information|details)|contact|call|email)\b/.test(norm)
    ) {
      return { kind: 'furniture', reason: 'contact details' };
    }
  }
  if (
    CREDIT_PAREN.test(norm) ||
    CREDIT_NAME_SLASH.test(s.text) ||
    (!s.sentenceEnd && (CREDIT_AT_END.test(norm) || CREDIT_LABEL_MID.test(norm)))
  ) {
    return { kind: 'furniture', reason: 'image caption/credit' };
  }
  if (!s.sentenceEnd) {
    for (const [re, reason] of WHEN_NOT_SENTENCE) if (re.test(norm)) return { kind: 'furniture', reason };
    if (/^by \p{Lu}/u.test(s.text.replace(/^By/, 'by')) && s.words <= 10 && !s.endsWithColon) {
      return { kind: 'furniture', reason: 'byline' };
    }
  }
  if (GRADE_LINE.test(norm)) return { kind: 'prose' };
  if (isHeading(s)) return { kind: 'heading', reason: 'heading' };
  if (isQuestionHeading(s)) return { kind: 'heading', reason: 'heading (question)' };
  return { kind: 'prose' };
}

/** A sub-heading in running text: short, title-like, and not ending the way a sentence or quote does. */
function isHeading(s: Shape): boolean {
  if (s.sentenceEnd || s.endsWithQuote || s.bullet || !s.titleStart) return false;
  if (s.endsWithColon) return s.words <= 3 && !SPEECH_VERB.test(s.norm);
  return s.words <= HEADING_MAX_WORDS;
}

/** "What is Engage?" as a sub-heading: a short bare question with no quotation in it. */
function isQuestionHeading(s: Shape): boolean {
  return /\?$/.test(s.text) && !s.hasQuote && s.words <= 10 && s.titleStart && QUESTION_START.test(s.norm);
}

/**
 * Inside a related-links run the bar is lower: anything that is not clearly prose is taken to be a headline,
 * including longer titles, headline questions and titles ending in a quoted phrase.
 */
function isLinkHeadline(s: Shape): boolean {
  if (s.startsLower && s.words > 5) return false;
  if (s.endsWithColon) return false;
  if (/\?$/.test(s.text.replace(/[\s"'”’)]+$/u, '')))
    return !s.hasQuote && s.words <= LINK_HEADLINE_MAX_WORDS;
  if (s.endsWithQuote) return !/[.!?,;:…][”"’»]+$/u.test(s.text) && s.words <= 15;
  if (s.sentenceEnd) return false;
  return s.words <= LINK_HEADLINE_MAX_WORDS;
}

/** Index (into `lines`) of the line closing a "skip past … promotion" block, or -1 if it never closes. */
function findBlockEnd(lines: readonly string[], from: number): number {
  let seen = 0;
  for (let i = from; i < lines.length && seen < BLOCK_MAX_LINES; i++) {
    const t = (lines[i] ?? '').trim();
    if (t === '') continue;
    seen++;
    if (classify(shapeOf(t)).kind === 'block-end') return i;
  }
  return -1;
}

/** Removes page furniture (promos, share/follow prompts, related-link headlines) so it can never become a passage. */
export function cleanParagraphs(paragraphs: readonly string[]): CleanResult {
  const kept: CleanedParagraph[] = [];
  const dropped: DroppedParagraph[] = [];
  const drop = (index: number, text: string, reason: string): void => {
    dropped.push({ index, text, reason });
  };

  /** Label of the link-list marker whose run we are in, or null in running text. */
  let run: string | null = null;
  /** Last line index of a newsletter/advert block being skipped, or -1. */
  let blockEnd = -1;
  /** Label of the end-of-story marker once seen; everything after it is dropped. */
  let tail: string | null = null;

  /** The last sub-heading seen in running text. */
  let section: string | null = null;
  /** After a sentence ending in a colon: short unpunctuated lines are its list, not sub-headings. */
  let listing = false;

  for (let index = 0; index < paragraphs.length; index++) {
    const raw = (paragraphs[index] ?? '').trim();
    if (raw === '') continue;

    if (tail !== null) {
      drop(index, raw, `after "${tail}" marker`);
      continue;
    }
    if (index <= blockEnd) {
      drop(index, raw, index === blockEnd ? 'promo: end of promotion block' : 'inside promotion block');
      continue;
    }

    const md = plainLine(raw);
    const text = md.text;
    if (md.block === 'link') {
      drop(index, raw, run !== null ? `headline after "${run}" marker` : 'link');
      continue;
    }
    if (md.block === 'rule' || md.block === 'reference' || md.block === 'image' || text === '') {
      drop(index, raw, md.block === 'image' ? 'image' : `Markdown ${md.block ?? 'markup'}`);
      continue;
    }
    const shape = shapeOf(text);
    if (md.listItem) shape.bullet = true;
    let line = classify(shape);
    if (md.block === 'heading' && line.kind === 'prose') line = { kind: 'heading', reason: 'heading' };
    switch (line.kind) {
      case 'end':
        tail = raw.replace(/[:\s]+$/, '');
        drop(index, raw, 'end-of-story marker');
        continue;
      case 'block-start': {
        const end = findBlockEnd(paragraphs, index + 1);
        if (end >= 0) blockEnd = end;
        else run = 'promotion';
        drop(index, raw, 'promo: start of promotion block');
        continue;
      }
      case 'block-end':
        drop(index, raw, 'promo: end of promotion block');
        continue;
      case 'marker':
        run = line.label;
        section = null;
        drop(index, raw, 'link-list marker');
        continue;
      case 'inline-link':
        run = line.label;
        drop(index, raw, `related link after "${line.label}"`);
        continue;
      case 'furniture':
        drop(index, raw, line.reason);
        continue;
      case 'heading':
        if (run !== null) drop(index, raw, `headline after "${run}" marker`);
        else if (listing && md.block !== 'heading' && !/\?$/.test(text)) {
          // "The following forces are in Engage:" then "Wiltshire Police – since September 2023": items.
          kept.push({ index, text, listItem: true, section });
        } else {
          section = text;
          listing = false;
          drop(index, raw, line.reason);
        }
        continue;
      case 'prose': {
        if (run !== null && isLinkHeadline(shape)) {
          drop(index, raw, `headline after "${run}" marker`);
          continue;
        }
        run = null;
        kept.push({ index, text, listItem: md.listItem || (listing && !shape.sentenceEnd), section });
        listing = shape.endsWithColon || (listing && !shape.sentenceEnd);
      }
    }
  }
  return { kept, dropped };
}
