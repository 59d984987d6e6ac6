import { stringify as toYaml } from 'yaml';
import { todayIso } from '../knowledge/load.js';
import { type KnowledgeIssue, parseArticleFile } from '../knowledge/parse.js';
import type { Article } from '../knowledge/schema.js';
import { STOP_WORDS } from '../search/analyzer.js';

/**
 * The bytes of `articles/<id>.md`, however an article arrives: the id every new article gets (one rule for
 * uploads, links and saved pages), the front matter, and an uploaded text file turned into an article file.
 * Everything is checked by `parseArticleFile`, the parser the loader uses, so what is written is exactly
 * what will be served. No Discord, no network, no writes: the shells (bot, CLI) call this and then write
 * through the knowledge holder.
 */

export const MAX_ID_LENGTH = 80;

const kebab = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** Cuts a kebab id to `max` characters at a hyphen, never leaving a trailing hyphen. */
function cut(id: string, max: number): string {
  if (id.length <= max) return id;
  const head = id.slice(0, max + 1);
  const at = head.lastIndexOf('-');
  return (at > 0 ? head.slice(0, at) : id.slice(0, max)).replace(/-+$/, '');
}

/**
 * A readable, safe id: publisher, date, then the title's meaningful words, at most 80 characters.
 *
 * @example articleIdFor({ publisher: 'Sky News', published: '2023-11-24', title: 'West Midlands Police put into special measures' })
 * // 'sky-news-2023-11-24-west-midlands-police-put-special-measures'
 */
export function articleIdFor(d: { publisher: string; published: string; title: string | null }): string {
  const publisher = kebab(d.publisher).split('-').filter(Boolean).slice(0, 4).join('-') || 'article';
  const words = kebab(d.title ?? '')
    .split('-')
    .filter((w) => w && !STOP_WORDS.has(w));
  return cut([publisher, kebab(d.published) || d.published, ...words].join('-'), MAX_ID_LENGTH);
}

/** `base`, or `base-2`, `base-3`… — the first not in `taken`. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = `${cut(base, MAX_ID_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}

/** Front matter fields in the order they are written; empty values are left out. */
export interface FrontMatter {
  id: string;
  title: string;
  publisher: string;
  published: string;
  url?: string | null;
  author?: string | null;
  source?: string | null;
}

/** `---\n<yaml>---\n` then the body as given. */
export function articleFileText(front: FrontMatter, body: string): string {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(front)) if (typeof v === 'string' && v.trim()) meta[k] = v.trim();
  return `---\n${toYaml(meta, { lineWidth: 0 })}---\n${body}`;
}

// ───────────────────────────── uploaded files ─────────────────────────────

/** What a moderator may give alongside a file without front matter. */
export interface ArticleOptions {
  title?: string | null;
  publisher?: string | null;
  published?: string | null;
  url?: string | null;
}

export type PreparedArticle =
  | {
      ok: true;
      id: string;
      bytes: Uint8Array;
      article: Article;
      builtFrontMatter: boolean;
      ignoredOptions: string[];
    }
  | { ok: false; issues: KnowledgeIssue[] };

const FRONT_MATTER_START = /^\uFEFF?---[ \t]*\r?\n/;

/**
 * Turns an uploaded file into the bytes of `articles/<id>.md`: kept as is when it has front matter, else
 * front matter is built from the options and the id derived with `articleIdFor`. Validated with the same
 * parser the loader uses.
 */
export function prepareArticle(
  fileName: string,
  bytes: Uint8Array,
  opts: ArticleOptions,
  today: string = todayIso(),
): PreparedArticle {
  const label = `upload ${fileName}`;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, issues: [issue(label, 'the file is not valid UTF-8 text: save it as UTF-8')] };
  }
  const given = Object.entries(opts)
    .filter(([, v]) => typeof v === 'string' && v.trim())
    .map(([k]) => k);
  if (FRONT_MATTER_START.test(text)) {
    const id = /^id:[ \t]*["']?([^\s"']+)["']?[ \t]*$/m.exec(text.split(/\r?\n---/)[0] ?? '')?.[1];
    const file =
      id && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id) && id.length <= 120 ? `articles/${id}.md` : label;
    const parsed = parseArticleFile(file, bytes, { today });
    if (!parsed.ok) return { ok: false, issues: parsed.issues };
    return {
      ok: true,
      id: parsed.article.id,
      bytes,
      article: parsed.article,
      builtFrontMatter: false,
      ignoredOptions: given,
    };
  }
  const missing = (['title', 'publisher', 'published'] as const).filter((k) => !opts[k]?.trim());
  if (missing.length)
    return {
      ok: false,
      issues: [
        issue(
          label,
          `the file has no front matter, so the options ${missing.map((m) => `\`${m}\``).join(', ')} are needed (published as YYYY-MM-DD)`,
        ),
      ],
    };
  const title = (opts.title ?? '').trim();
  const publisher = (opts.publisher ?? '').trim();
  const published = (opts.published ?? '').trim();
  const id = articleIdFor({ publisher, published, title });
  const out = new TextEncoder().encode(
    articleFileText({ id, title, publisher, published, url: opts.url }, text.replace(/^\uFEFF/, '')),
  );
  const parsed = parseArticleFile(`articles/${id}.md`, out, { today });
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return { ok: true, id, bytes: out, article: parsed.article, builtFrontMatter: true, ignoredOptions: [] };
}

function issue(file: string, message: string): KnowledgeIssue {
  return { file, severity: 'error', message };
}
