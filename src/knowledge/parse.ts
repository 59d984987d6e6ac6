import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { bodyParagraphs } from './paragraphs.js';
import { type Article, frontMatterSchema } from './schema.js';
import { isTypoOf, osaDistance } from './typos.js';

/** A problem found in a knowledge file; `error`s keep the file out of the index, `warning`s don't. */
export interface KnowledgeIssue {
  file: string;
  severity: 'error' | 'warning';
  /** The front-matter field concerned, when there is one. */
  field?: string;
  message: string;
}

export type ParseResult =
  | { ok: true; article: Article; warnings: KnowledgeIssue[] }
  | { ok: false; issues: KnowledgeIssue[] };

/** Articles larger than this are refused: a news article is a few kilobytes, a bigger file is a mistake. */
export const MAX_ARTICLE_BYTES = 1_000_000;

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

/**
 * Turns the bytes of `articles/<id>.md` into an Article, or into issues naming the file, the field and the
 * fix. Pure: the caller does the reading. Tolerates a BOM and CRLF line endings; the body is kept verbatim
 * (one paragraph per line, or hard-wrapped lines joined: see `bodyParagraphs`).
 *
 * @example parseArticleFile('articles/x.md', bytes, { today: '2026-11-23' })
 */
export function parseArticleFile(file: string, bytes: Uint8Array, opts: { today: string }): ParseResult {
  const fail = (message: string, field?: string): ParseResult => ({
    ok: false,
    issues: [{ file, severity: 'error', message, ...(field ? { field } : {}) }],
  });
  if (bytes.byteLength === 0) return fail('the file is empty: it needs front matter and the article text');
  if (bytes.byteLength > MAX_ARTICLE_BYTES)
    return fail(
      `the file is ${(bytes.byteLength / 1e6).toFixed(1)} MB, over the ${MAX_ARTICLE_BYTES / 1e6} MB limit: is it really one article?`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('the file is not valid UTF-8 text (binary, or another encoding): save it as UTF-8');
  }
  if (text.includes('\u0000'))
    return fail('the file contains NUL bytes: it looks binary, not a text article');
  // Text pasted from web pages: no-break and other wide spaces read as spaces, a zero-width space between
  // words as a space, other invisible characters (soft hyphens, joiners) as nothing, so
  // "special\u00a0measures" and "special\u200bmeasures" are the phrase they show.
  text = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/(?<=\S)\u200b(?=\S)/g, ' ')
    .replace(/[\u00ad\u200b\u200c\u2060\ufeff]/g, '');

  const fm = FRONT_MATTER.exec(text);
  if (!fm)
    return fail(
      'missing front matter: start the file with a "---" line, then id, title, publisher and published (YYYY-MM-DD), then "---"',
    );
  let data: unknown;
  const leniency: KnowledgeIssue[] = [];
  try {
    data = parseYaml(fm[1] ?? '');
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0]?.replace(/:\s*$/, '');
    // "title: Kent Police: the verdict" is not YAML, but its meaning is plain: read it line by line.
    const lines = fieldLines(fm[1] ?? '');
    if (!lines) return fail(`front matter is not valid YAML: ${reason}`);
    data = lines;
    leniency.push({
      file,
      severity: 'warning',
      message: `front matter is not valid YAML (${reason}); read as one "field: value" per line. Put values containing ": " in quotes`,
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return fail('front matter must be "field: value" lines (id, title, publisher, published)');

  const { known, unknown } = splitFields(data as Record<string, unknown>);
  const parsed = frontMatterSchema.safeParse(known);
  if (!parsed.success) return { ok: false, issues: zodIssues(file, parsed.error, unknown) };
  const meta = parsed.data;
  const warnings: KnowledgeIssue[] = unknown.map((key) => ({
    file,
    severity: 'warning',
    field: key,
    message: `unknown field "${key}" is ignored${hint(key)}: allowed are ${FIELDS.join(', ')}`,
  }));

  const issues: KnowledgeIssue[] = [];
  const expectedId = file.replace(/^.*\//, '').replace(/\.md$/, '');
  if (meta.id !== expectedId)
    issues.push({
      file,
      severity: 'error',
      field: 'id',
      message: `id "${meta.id}" does not match the file name: rename the file to ${meta.id}.md or set id: ${expectedId}`,
    });
  if (meta.published > opts.today)
    issues.push({
      file,
      severity: 'error',
      field: 'published',
      message: `date ${meta.published} is in the future (today is ${opts.today}): use the day the article was published`,
    });
  const { paragraphs, joined } = bodyParagraphs(text.slice(fm[0].length));
  if (joined > 0)
    warnings.push({
      file,
      severity: 'warning',
      message: `hard-wrapped text: ${joined} line break${joined === 1 ? '' : 's'} inside sentences read as spaces; check the paragraphs with kb show`,
    });
  if (paragraphs.length === 0)
    issues.push({ file, severity: 'error', message: 'the article has no text after the front matter' });
  if (issues.length) return { ok: false, issues };
  return { ok: true, article: { ...meta, file, paragraphs }, warnings: [...leniency, ...warnings] };
}

/**
 * Front matter read as plain "field: value" lines, the first ": " ending the name; quotes around a value
 * are removed and a `[a, b]` list is split. Null when a line is not of that shape.
 */
function fieldLines(text: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const m = /^([A-Za-z_][\w-]*):[ \t]*(.*)$/.exec(line);
    if (!m?.[1]) return null;
    const value = (m[2] ?? '').trim();
    // Unbalanced YAML syntax is a real mistake, not a colon in a title: leave it to the YAML error.
    if (/^[[{"']/.test(value) && !/^(?:\[.*\]|"[^"]*"|'[^']*')$/.test(value)) return null;
    const list = /^\[(.*)\]$/.exec(value);
    out[m[1]] = list
      ? (list[1] ?? '')
          .split(',')
          .map((v) => unquote(v.trim()))
          .filter(Boolean)
      : unquote(value);
  }
  return out;
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

const FIELDS = Object.keys(frontMatterSchema.shape);

/** Front-matter keys the schema knows, and the others (set aside with a warning, not fatal). */
function splitFields(data: Record<string, unknown>): { known: Record<string, unknown>; unknown: string[] } {
  const known: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (FIELDS.includes(key)) known[key] = value;
    else unknown.push(key);
  }
  return { known, unknown };
}

/** The documented field an unknown key was probably meant to be: `publised` → `published`. */
function meantField(key: string): string | undefined {
  const k = key.trim().toLowerCase();
  const near = FIELDS.filter((f) => f === k || isTypoOf(k, f));
  return near.sort((a, b) => osaDistance(k, a) - osaDistance(k, b))[0];
}

function hint(key: string): string {
  const meant = meantField(key);
  return meant ? ` (did you mean "${meant}"?)` : '';
}

function zodIssues(file: string, error: z.ZodError, unknown: readonly string[]): KnowledgeIssue[] {
  return error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    const typo = unknown.find((key) => meantField(key) === field);
    const message = `${field || 'front matter'} ${i.message}${typo ? ` (the file has "${typo}": a typo?)` : ''}`;
    return { file, severity: 'error', message, ...(field ? { field } : {}) };
  });
}
