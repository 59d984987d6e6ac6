import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A news site on 127.0.0.1 for the ingest tests: the saved pages in tests/fixtures/pages, plus routes that
 * misbehave the way real sites and hostile links do (redirect chains, a redirect to a private address,
 * oversized and slow pages, non-HTML). It only ever listens on loopback.
 */

export const PAGES_DIR = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));

export interface PageServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  url(pathname: string): string;
  /** Every request received, as "<Host header> <path>". */
  requests: string[];
  close(): Promise<void>;
}

const BIG_BYTES = 3 * 1024 * 1024;

/** Starts the server on a free loopback port. */
export async function startPageServer(): Promise<PageServer> {
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.headers.host ?? ''} ${url.pathname}${url.search}`);
    void route(url, res, timers).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (p) => `${origin}${p.startsWith('/') ? p : `/${p}`}`,
    requests,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(url: URL, res: http.ServerResponse, timers: Set<NodeJS.Timeout>): Promise<void> {
  const p = url.pathname;
  const page = /^\/pages\/([\w.-]+\.(?:html|txt))$/.exec(p);
  if (page?.[1]) {
    const body = await readFile(path.join(PAGES_DIR, page[1]));
    const type = page[1].endsWith('.txt') ? 'text/plain' : 'text/html';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'content-length': body.byteLength });
    res.end(body);
    return;
  }
  const hop = /^\/redirect\/(\d+)$/.exec(p);
  if (hop) {
    const n = Number(hop[1]);
    const to = url.searchParams.get('to') ?? '/pages/bbc-lincolnshire-engage.html';
    const next = n <= 1 ? to : `/redirect/${n - 1}?to=${encodeURIComponent(to)}`;
    res.writeHead(n % 2 ? 302 : 301, { location: next });
    res.end();
    return;
  }
  switch (p) {
    case '/to-private':
      res.writeHead(302, { location: 'http://10.0.0.1/admin' });
      res.end();
      return;
    case '/to-metadata':
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
      return;
    case '/to-ftp':
      res.writeHead(302, { location: 'ftp://files.example.test/story.html' });
      res.end();
      return;
    case '/big': {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG_BYTES && !res.destroyed) {
          sent += chunk.byteLength;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.write('<!doctype html><html><body><p>');
      pump();
      return;
    }
    case '/big-declared': {
      // Declares 3 MB and sends almost nothing: the client must refuse on the header alone.
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(BIG_BYTES) });
      res.write('<!doctype html>');
      const t = setTimeout(() => res.destroy(), 5_000);
      timers.add(t);
      return;
    }
    case '/slow': {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<!doctype html><html><body>');
      const t = setTimeout(() => res.end('<p>Too late.</p></body></html>'), 5_000);
      timers.add(t);
      return;
    }
    case '/report.pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end('%PDF-1.7\n');
      return;
    case '/no-type':
      res.writeHead(200);
      res.end('<p>untyped</p>');
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
  }
}
