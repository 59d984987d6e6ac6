import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { checkAddress, sameAddress } from './address.js';

/**
 * Reads a web page for a moderator's `/kb add url:` without letting the link reach anything it should
 * not. The host name is resolved here, every address it resolves to is vetted, and the connection is made
 * to the vetted address itself (a fixed `lookup` on the request), so a DNS answer that changes between the
 * check and the connection (DNS rebinding) cannot redirect it. Redirects are followed by hand and each hop
 * is checked again. Size, time and content type are bounded, and every refusal is a sentence a moderator
 * can read.
 */

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 5;

/** A resolved address, as `dns.lookup(host, { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface FetchPageOptions {
  /**
   * Let private, loopback and link-local addresses through. Only for tests and local development: the
   * default (false) refuses them.
   */
  allowPrivate?: boolean;
  /** IP addresses allowed even though they are not public (e.g. ['127.0.0.1'] for a test page server). */
  allowAddresses?: readonly string[];
  maxBytes?: number;
  /** For the whole fetch, redirects and DNS included. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Resolves a host name to all its addresses; defaults to the system resolver. Tests inject one. */
  resolve?: (host: string) => Promise<ResolvedAddress[]>;
  /** Called just before each connection, with the vetted address; for logs and tests. */
  onConnect?: (url: string, address: string) => void;
  userAgent?: string;
}

export interface FetchedPage {
  /** The URL the page was finally read from, after redirects. */
  url: string;
  /** The link as given. */
  requestedUrl: string;
  /** Every URL visited before `url`, in order. */
  redirects: string[];
  status: number;
  /** Media type without parameters: text/html, application/xhtml+xml or text/plain. */
  contentType: string;
  body: string;
}

export type FetchPageResult = { ok: true; page: FetchedPage } | { ok: false; reason: string };

const ACCEPTED_TYPES = new Set(['text/html', 'application/xhtml+xml', 'text/plain']);
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** Thrown inside the fetch to stop with a moderator-readable reason; never escapes `fetchPage`. */
class Refusal extends Error {}

/**
 * Fetches a page by a moderator's link under the safety rules above.
 *
 * @example await fetchPage('http://127.0.0.1:8080/a.html') // { ok: false, reason: 'refused: 127.0.0.1 is a loopback address' }
 */
export async function fetchPage(link: string, opts: FetchPageOptions = {}): Promise<FetchPageResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const timedOut = `timed out after ${formatSeconds(timeoutMs)}`;
  const deadline = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new Refusal(timedOut)), { once: true }),
  );
  deadline.catch(() => {}); // also rejects when `finally` aborts after success; nobody waits for it then
  try {
    // The race also bounds steps that ignore the signal, such as the system resolver.
    const work = fetchFollowing(link, opts, controller.signal);
    work.catch(() => {}); // after a timeout its own abort error has no one to report to
    const page = await Promise.race([work, deadline]);
    return { ok: true, page };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    if (controller.signal.aborted) return { ok: false, reason: timedOut };
    return { ok: false, reason: `could not read the page: ${describeNetworkError(err)}` };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function fetchFollowing(
  link: string,
  opts: FetchPageOptions,
  signal: AbortSignal,
): Promise<FetchedPage> {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const redirects: string[] = [];
  let url = parseLink(link);
  for (;;) {
    const target = await vet(url, opts);
    const res = await request(url, target, opts, signal);
    if (REDIRECT_CODES.has(res.statusCode ?? 0)) {
      res.resume();
      const location = res.headers.location;
      if (!location) throw new Refusal(`HTTP ${res.statusCode} redirect without a Location`);
      if (redirects.length >= maxRedirects)
        throw new Refusal(`too many redirects (more than ${maxRedirects})`);
      redirects.push(url.href);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new Refusal(`the page redirects to an invalid address (${location.slice(0, 100)})`);
      }
      url = checkScheme(next, 'the page redirects to');
      continue;
    }
    return await readBody(res, { url: url.href, requestedUrl: link, redirects }, opts, signal);
  }
}

function parseLink(link: string): URL {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    throw new Refusal('that is not a web address: give a full link starting with https://');
  }
  return checkScheme(url, 'the link is');
}

function checkScheme(url: URL, what: string): URL {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Refusal(`${what} ${url.protocol.replace(/:$/, '')}: only http and https links can be read`);
  if (url.username || url.password) throw new Refusal('links with a user name or password are not accepted');
  url.hash = '';
  return url;
}

/** Resolves the host and checks every address; returns the one to connect to. */
async function vet(url: URL, opts: FetchPageOptions): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolve)(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Refusal(
        code === 'ENOTFOUND' || code === 'ENODATA'
          ? `the site ${host} does not exist (no DNS record)`
          : `could not look up ${host}${code ? ` (${code})` : ''}`,
      );
    }
    if (addresses.length === 0) throw new Refusal(`the site ${host} does not exist (no DNS record)`);
  }
  // Every address must pass: otherwise a host listing one public and one private address could be used.
  for (const a of addresses) {
    const verdict = checkAddress(a.address);
    if (verdict && !allowed(a.address, opts))
      throw new Refusal(`refused: ${verdict.reason}${isIP(host) ? '' : ` (${host})`}`);
  }
  const first = addresses[0];
  if (!first) throw new Refusal(`the site ${host} does not exist (no DNS record)`);
  return first;
}

function allowed(address: string, opts: FetchPageOptions): boolean {
  if (opts.allowPrivate) return true;
  return (opts.allowAddresses ?? []).some((a) => sameAddress(a, address));
}

async function systemResolve(host: string): Promise<ResolvedAddress[]> {
  return dnsLookup(host, { all: true, verbatim: true });
}

/** Opens the request on the vetted address; SNI and the Host header still carry the link's host name. */
function request(
  url: URL,
  target: ResolvedAddress,
  opts: FetchPageOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (typeof options === 'object' && options.all)
      (callback as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  opts.onConnect?.(url.href, target.address);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET',
      lookup: pinned,
      agent: false,
      signal,
      headers: {
        'user-agent': opts.userAgent ?? 'police-inspections-bot/0.1 (article reader)',
        accept: 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5',
        'accept-language': 'en-GB,en;q=0.8',
      },
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readBody(
  res: IncomingMessage,
  where: Pick<FetchedPage, 'url' | 'requestedUrl' | 'redirects'>,
  opts: FetchPageOptions,
  signal: AbortSignal,
): Promise<FetchedPage> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume();
    throw new Refusal(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
  }
  const [type = '', ...params] = (res.headers['content-type'] ?? '').split(';').map((s) => s.trim());
  const contentType = type.toLowerCase();
  if (!ACCEPTED_TYPES.has(contentType)) {
    res.resume();
    throw new Refusal(
      contentType
        ? `the link is ${contentType}, not a web page: give the link of the article page`
        : 'the server did not say what the link is (no Content-Type): give the link of the article page',
    );
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const tooBig = `the page is larger than ${formatBytes(maxBytes)}`;
  const declared = Number(res.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) {
    res.destroy();
    throw new Refusal(tooBig);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (signal.aborted) break;
    size += chunk.byteLength;
    if (size > maxBytes) {
      res.destroy();
      throw new Refusal(tooBig);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const charset = params.find((p) => /^charset=/i.test(p))?.replace(/^charset=["']?|["']$/gi, '');
  return { ...where, status, contentType, body: decode(bytes, charset) };
}

/** Decodes with the declared charset, or one a <meta charset> names, falling back to UTF-8. */
function decode(bytes: Uint8Array, declared: string | undefined): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  const meta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
  for (const label of [declared, meta, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // unknown label: try the next
    }
  }
  return new TextDecoder().decode(bytes);
}

function describeNetworkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'the server refused the connection';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the server cannot be reached';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `the site's certificate is not valid (${e.code})`;
    default:
      return e.code ?? (err instanceof Error ? err.message : String(err));
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} kB`;
  return `${n} bytes`;
}
