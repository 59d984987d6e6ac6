import { MAX_ARTICLE_BYTES } from '../knowledge/parse.js';

/**
 * The Discord-only part of `/kb add file:`: checking what Discord says about an attachment and downloading it
 * from Discord's file servers. Turning the bytes into an article file is `prepareArticle` in
 * src/ingest/article-file.ts, shared with the CLI.
 */

/** The attachment as Discord describes it in the interaction. */
export interface AttachmentInfo {
  name: string;
  url: string;
  size: number;
  contentType: string | null;
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
