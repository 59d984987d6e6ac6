import { stringify as toYaml } from 'yaml';
import { todayIso } from '../knowledge/load.js';
import { type KnowledgeIssue, MAX_ARTICLE_BYTES, parseArticleFile } from '../knowledge/parse.js';
import type { Article } from '../knowledge/schema.js';

/** The attachment as Discord describes it in the interaction. */
export interface AttachmentInfo {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
}

export interface ArticleOptions {
  title?: string | null;
  publisher?: string | null;
  published?: string | null;
  url?: string | null;
}

/** Hosts Discord serves attachments from. The REST base host is added when DISCORD_API_BASE is set. */
export const DISCORD_ATTACHMENT_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];

const ALLOWED_EXTENSIONS = /\.(?:md|markdown|txt)$/i;

/** Checks what Discord told us about the attachment before fetching anything. */
export function checkAttachment(a: AttachmentInfo, allowedHosts: readonly string[]): string | null {
  if (!ALLOWED_EXTENSIONS.test(a.name))
    return `“${a.name}” is not a .md or .txt file: attach the article as Markdown or plain text.`;
  if (a.size > MAX_ARTICLE_BYTES)
    return `“${a.name}” is ${(a.size / 1e6).toFixed(1)} MB; articles may be at most ${MAX_ARTICLE_BYTES / 1e6} MB.`;
  if (a.size === 0) return `“${a.name}” is empty.`;
  const type = (a.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type && !type.startsWith('text/') && type !== 'application/octet-stream')
    return `“${a.name}” is ${type}, not text: attach the article as a .md or .txt file.`;
  let url: URL;
  try {
    url = new URL(a.url);
  } catch {
    return 'The attachment has no valid URL.';
  }
  if (!allowedHosts.includes(url.host) && !allowedHosts.includes(url.hostname))
    return 'The attachment does not come from Discord’s file servers.';
  // Discord's CDN is always HTTPS; plain HTTP only for the host of DISCORD_API_BASE (a proxy or test server).
  if (
    url.protocol !== 'https:' &&
    (url.protocol !== 'http:' || DISCORD_ATTACHMENT_HOSTS.includes(url.hostname))
  )
    return 'The attachment URL is not HTTPS.';
  return null;
}

/** Fetches the attachment from the URL Discord gave, with a size cap and a timeout; no redirects. */
export async function fetchAttachment(
  a: AttachmentInfo,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<Uint8Array> {
  const res = await (opts.fetch ?? fetch)(a.url, {
    redirect: 'error',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  if (!res.ok) throw new UploadError(`Could not download “${a.name}” from Discord (HTTP ${res.status}).`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_ARTICLE_BYTES) throw new UploadError(`“${a.name}” is over the 1 MB limit.`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > MAX_ARTICLE_BYTES) throw new UploadError(`“${a.name}” is over the 1 MB limit.`);
      chunks.push(chunk);
    }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** A problem with an upload the moderator can fix; shown to them as is. */
export class UploadError extends Error {
  override name = 'UploadError';
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
 * front matter is built from the command's options and the id derived from publisher, date and title.
 * Validated with the same parser the loader uses.
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
  const id = deriveArticleId(publisher, published, title);
  const meta: Record<string, string> = { id, title, publisher, published };
  if (opts.url?.trim()) meta.url = opts.url.trim();
  const body = text.replace(/^\uFEFF/, '');
  const out = new TextEncoder().encode(`---\n${toYaml(meta, { lineWidth: 0 })}---\n${body}`);
  const parsed = parseArticleFile(`articles/${id}.md`, out, { today });
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return { ok: true, id, bytes: out, article: parsed.article, builtFrontMatter: true, ignoredOptions: [] };
}

function issue(file: string, message: string): KnowledgeIssue {
  return { file, severity: 'error', message };
}

/** "Sky News", "2023-11-24", "West Midlands Police put into…" → "sky-news-2023-11-24-west-midlands-police-put-into". */
export function deriveArticleId(publisher: string, published: string, title: string): string {
  const kebab = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/['’]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const head = [kebab(publisher) || 'article', kebab(published)].filter(Boolean).join('-');
  const words = kebab(title).split('-').filter(Boolean);
  let id = head;
  for (const w of words) {
    if (`${id}-${w}`.length > 80) break;
    id = `${id}-${w}`;
  }
  return id.slice(0, 120).replace(/-+$/, '');
}
