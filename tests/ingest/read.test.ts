import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchOptionsFromEnv, readArticleFromFile, readArticleFromUrl } from '../../src/ingest/read.js';
import { PAGES_DIR, type PageServer, startPageServer } from '../support/page-server.js';

let server: PageServer;
beforeAll(async () => {
  server = await startPageServer();
});
afterAll(async () => {
  await server.close();
});

describe('reading an article from a link or a saved page', () => {
  it('link → fetched safely → draft (through a redirect)', async () => {
    const r = await readArticleFromUrl(
      server.url('/redirect/2?to=/pages/local-paper-cleveland-peel.html'),
      fetchOptionsFromEnv({ INGEST_ALLOW_ADDRESSES: '127.0.0.1' }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fetchedFrom).toBe(server.url('/pages/local-paper-cleveland-peel.html'));
    expect(r.result.draft.published).toBe('2024-02-08');
    // og:url names another site than 127.0.0.1, so the fetched address is kept and the moderator told.
    expect(r.result.draft.url).toBe(server.url('/pages/local-paper-cleveland-peel.html'));
    expect(r.result.problems.map((p) => p.code)).toEqual(['check']);
  });

  it('the default configuration refuses the local server', async () => {
    expect(fetchOptionsFromEnv({})).toEqual({});
    expect(
      await readArticleFromUrl(server.url('/pages/wire-met-response.html'), fetchOptionsFromEnv({})),
    ).toEqual({
      ok: false,
      reason: 'refused: 127.0.0.1 is a loopback address',
    });
  });

  it('a saved page keeps its own address from its metadata', async () => {
    const r = await readArticleFromFile(path.join(PAGES_DIR, 'bbc-lincolnshire-engage.html'));
    expect(r.ok && r.result.draft.url).toBe('https://www.bbc.co.uk/news/articles/c0lincs4engage');
    expect(r.ok && r.result.draft.source).toBeNull();
  });

  it('refuses files that are not saved pages', async () => {
    expect(await readArticleFromFile('notes.pdf')).toEqual({
      ok: false,
      reason: 'notes.pdf is not a saved page: give an .html or .txt file',
    });
    const missing = await readArticleFromFile(path.join(PAGES_DIR, 'nope.html'));
    expect(missing.ok).toBe(false);
  });
});
