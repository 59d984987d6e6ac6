import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type ExtractResult, extractArticle } from './extract.js';
import { DEFAULT_MAX_BYTES, type FetchPageOptions, fetchPage } from './fetch-page.js';

/**
 * The two ways an article arrives — a link (`/kb add url:`, `kb add --url`) and a saved page
 * (`kb add --file`) — each ending in the same extraction, so both give the same draft for the same page.
 */

export type ReadResult =
  | { ok: true; result: ExtractResult; fetchedFrom: string | null }
  | { ok: false; reason: string };

/**
 * Fetches a link safely and extracts a draft from it.
 *
 * @example const r = await readArticleFromUrl('https://www.bbc.co.uk/news/…'); if (r.ok) previewDraft(r.result.draft, base)
 */
export async function readArticleFromUrl(link: string, opts: FetchPageOptions = {}): Promise<ReadResult> {
  const fetched = await fetchPage(link, opts);
  if (!fetched.ok) return fetched;
  const { page } = fetched;
  return {
    ok: true,
    result: extractArticle({ body: page.body, contentType: page.contentType, url: page.url }),
    fetchedFrom: page.url,
  };
}

/** Reads a saved page (.html, .htm or .txt); the article's address comes from the page's own metadata. */
export async function readArticleFromFile(
  file: string,
  opts: { maxBytes?: number } = {},
): Promise<ReadResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const ext = path.extname(file).toLowerCase();
  if (!['.html', '.htm', '.xhtml', '.txt'].includes(ext))
    return { ok: false, reason: `${path.basename(file)} is not a saved page: give an .html or .txt file` };
  try {
    if ((await stat(file)).size > maxBytes)
      return { ok: false, reason: `${path.basename(file)} is larger than ${maxBytes / (1024 * 1024)} MB` };
    const body = await readFile(file, 'utf8');
    return {
      ok: true,
      result: extractArticle({
        body,
        contentType: ext === '.txt' ? 'text/plain' : 'text/html',
        url: null,
        sourceName: path.basename(file),
      }),
      fetchedFrom: null,
    };
  } catch (err) {
    return {
      ok: false,
      reason: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    };
  }
}

/**
 * Fetch options from the environment, for end-to-end tests that serve pages on 127.0.0.1:
 * `INGEST_ALLOW_ADDRESSES=127.0.0.1,::1`. Unset (the default) allows public addresses only.
 */
export function fetchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): FetchPageOptions {
  const allow = (env.INGEST_ALLOW_ADDRESSES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return allow.length ? { allowAddresses: allow } : {};
}
