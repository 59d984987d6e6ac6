import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchPageOptions, fetchPage } from '../../src/ingest/fetch-page.js';
import { type PageServer, startPageServer } from '../support/page-server.js';

let server: PageServer;
beforeAll(async () => {
  server = await startPageServer();
});
afterAll(async () => {
  await server.close();
});

/** The test configuration: only the loopback page server is let through. */
const LOCAL: FetchPageOptions = { allowAddresses: ['127.0.0.1'], timeoutMs: 5_000 };

/** Records every connection fetchPage is about to make, to prove refusals happen before any. */
function spy(): { opts: FetchPageOptions; connected: string[] } {
  const connected: string[] = [];
  return { opts: { ...LOCAL, onConnect: (_url, address) => connected.push(address) }, connected };
}

describe('fetchPage on the local page server', () => {
  it('reads a page when the test configuration allows 127.0.0.1', async () => {
    const r = await fetchPage(server.url('/pages/bbc-lincolnshire-engage.html'), LOCAL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.page.status).toBe(200);
    expect(r.page.contentType).toBe('text/html');
    expect(r.page.body).toContain('Lincolnshire Police has been placed in special measures');
    expect(r.page.redirects).toEqual([]);
  });

  it('refuses 127.0.0.1 by default, before connecting', async () => {
    const connected: string[] = [];
    const r = await fetchPage(server.url('/pages/bbc-lincolnshire-engage.html'), {
      onConnect: (_u, a) => connected.push(a),
    });
    expect(r).toEqual({ ok: false, reason: 'refused: 127.0.0.1 is a loopback address' });
    expect(connected).toEqual([]);
  });

  it('allowPrivate lets local addresses through (tests only)', async () => {
    const r = await fetchPage(server.url('/pages/wire-met-response.html'), { allowPrivate: true });
    expect(r.ok).toBe(true);
  });

  it('follows a redirect chain and re-checks each hop', async () => {
    const { opts, connected } = spy();
    const r = await fetchPage(server.url('/redirect/3?to=/pages/wire-met-response.html'), opts);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.page.url).toBe(server.url('/pages/wire-met-response.html'));
    expect(r.page.redirects).toHaveLength(3);
    expect(connected).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('stops after 5 redirects', async () => {
    const r = await fetchPage(server.url('/redirect/9'), LOCAL);
    expect(r).toEqual({ ok: false, reason: 'too many redirects (more than 5)' });
  });

  it('refuses a redirect to a private address without connecting to it', async () => {
    const { opts, connected } = spy();
    const started = Date.now();
    const r = await fetchPage(server.url('/to-private'), { ...opts, timeoutMs: 3_000 });
    expect(r).toEqual({ ok: false, reason: 'refused: 10.0.0.1 is a private address' });
    expect(connected).toEqual(['127.0.0.1']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a redirect to the cloud metadata address', async () => {
    const { opts, connected } = spy();
    const r = await fetchPage(server.url('/to-metadata'), opts);
    expect(r).toEqual({ ok: false, reason: 'refused: 169.254.169.254 is a link-local address' });
    expect(connected).toEqual(['127.0.0.1']);
  });

  it('refuses a redirect to another scheme', async () => {
    const r = await fetchPage(server.url('/to-ftp'), LOCAL);
    expect(r).toEqual({
      ok: false,
      reason: 'the page redirects to ftp: only http and https links can be read',
    });
  });

  it('refuses a page over the size limit while streaming', async () => {
    const r = await fetchPage(server.url('/big'), LOCAL);
    expect(r).toEqual({ ok: false, reason: 'the page is larger than 2 MB' });
    const small = await fetchPage(server.url('/pages/bbc-lincolnshire-engage.html'), {
      ...LOCAL,
      maxBytes: 1024,
    });
    expect(small).toEqual({ ok: false, reason: 'the page is larger than 1 kB' });
  });

  it('refuses a page whose declared length is over the limit', async () => {
    const r = await fetchPage(server.url('/big-declared'), LOCAL);
    expect(r).toEqual({ ok: false, reason: 'the page is larger than 2 MB' });
  });

  it('gives up on a slow page at the time limit', async () => {
    const started = Date.now();
    const r = await fetchPage(server.url('/slow'), { ...LOCAL, timeoutMs: 300 });
    expect(r).toEqual({ ok: false, reason: 'timed out after 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses what is not a web page', async () => {
    expect(await fetchPage(server.url('/report.pdf'), LOCAL)).toEqual({
      ok: false,
      reason: 'the link is application/pdf, not a web page: give the link of the article page',
    });
    const untyped = await fetchPage(server.url('/no-type'), LOCAL);
    expect(untyped.ok).toBe(false);
    if (!untyped.ok) expect(untyped.reason).toMatch(/no Content-Type/);
  });

  it('reports HTTP errors by status', async () => {
    expect(await fetchPage(server.url('/missing'), LOCAL)).toEqual({
      ok: false,
      reason: 'HTTP 404 Not Found',
    });
  });
});

describe('fetchPage before any connection', () => {
  it.each([
    ['ftp://example.com/a', 'the link is ftp: only http and https links can be read'],
    ['file:///etc/passwd', 'the link is file: only http and https links can be read'],
    ['javascript:alert(1)', 'the link is javascript: only http and https links can be read'],
    ['not a link', 'that is not a web address: give a full link starting with https://'],
    ['http://user:pw@example.com/', 'links with a user name or password are not accepted'],
    ['http://127.0.0.1/', 'refused: 127.0.0.1 is a loopback address'],
    ['http://[::1]:8080/', 'refused: ::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/', 'refused: ::ffff:7f00:1 is a loopback address (IPv4-mapped)'],
    ['http://10.1.2.3/', 'refused: 10.1.2.3 is a private address'],
    ['http://192.168.0.1/', 'refused: 192.168.0.1 is a private address'],
    ['http://169.254.169.254/latest/', 'refused: 169.254.169.254 is a link-local address'],
    ['http://100.100.100.200/', 'refused: 100.100.100.200 is a shared (CGNAT) address'],
    ['http://0.0.0.0:3000/', 'refused: 0.0.0.0 is an unspecified address'],
    ['http://[fd00::1]/', 'refused: fd00::1 is a unique-local address'],
    ['http://[fe80::1]/', 'refused: fe80::1 is a link-local address'],
    ['http://2130706433/', 'refused: 127.0.0.1 is a loopback address'],
  ])('%s → %s', async (link, reason) => {
    const connected: string[] = [];
    const r = await fetchPage(link, { onConnect: (_u, a) => connected.push(a) });
    expect(r).toEqual({ ok: false, reason });
    expect(connected).toEqual([]);
  });

  it('checks every address a host name resolves to', async () => {
    const connected: string[] = [];
    const r = await fetchPage('https://news.example.test/story', {
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
      onConnect: (_u, a) => connected.push(a),
    });
    expect(r).toEqual({ ok: false, reason: 'refused: 10.0.0.7 is a private address (news.example.test)' });
    expect(connected).toEqual([]);
  });

  it('refuses a host name that resolves to an IPv4-mapped loopback address', async () => {
    const r = await fetchPage('https://rebind.example.test/', {
      resolve: async () => [{ address: '::ffff:127.0.0.1', family: 6 }],
    });
    expect(r).toEqual({
      ok: false,
      reason: 'refused: ::ffff:127.0.0.1 is a loopback address (IPv4-mapped) (rebind.example.test)',
    });
  });

  it('says so when a host does not exist', async () => {
    const r = await fetchPage('https://nowhere.example.test/', {
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    expect(r).toEqual({ ok: false, reason: 'the site nowhere.example.test does not exist (no DNS record)' });
  });
});

describe('fetchPage connects to the address it vetted', () => {
  it('resolves once and connects there, so a changed DNS answer (rebinding) is never used', async () => {
    let lookups = 0;
    const connected: string[] = [];
    const port = new URL(server.origin).port;
    const r = await fetchPage(`http://news.example.test:${port}/pages/wire-met-response.html`, {
      allowAddresses: ['127.0.0.1'],
      // First answer is the vetted (allowed) address; any later answer would be a private one.
      resolve: async () =>
        lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }],
      onConnect: (_u, a) => connected.push(a),
    });
    expect(r.ok).toBe(true);
    expect(lookups).toBe(1);
    expect(connected).toEqual(['127.0.0.1']);
    // The Host header still names the site, as a browser's would.
    expect(server.requests.at(-1)).toBe(`news.example.test:${port} /pages/wire-met-response.html`);
  });
});
