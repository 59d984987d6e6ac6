import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/answer/compose.js';
import { articleIdFor, uniqueId } from '../../src/ingest/article-file.js';
import { applyFixes, draftToArticleFile, previewDraft } from '../../src/ingest/draft.js';
import { type DraftArticle, extractArticle } from '../../src/ingest/extract.js';
import { cleanParagraphs } from '../../src/knowledge/clean.js';
import { parseArticleFile } from '../../src/knowledge/parse.js';
import { article, FORCES } from '../support/engine.js';
import { PAGES_DIR } from '../support/page-server.js';

const TODAY = '2025-01-01';
const bbc = extractArticle({
  body: readFileSync(path.join(PAGES_DIR, 'bbc-lincolnshire-engage.html'), 'utf8'),
  url: 'https://www.bbc.co.uk/news/articles/c0lincs4engage',
}).draft;
const noDate = extractArticle({
  body: readFileSync(path.join(PAGES_DIR, 'no-date-kent-blog.html'), 'utf8'),
  url: 'https://medwayvoice.example/2024/04/kent-custody',
}).draft;

const BASE = [
  article({
    id: 'pa-2022-07-07-wiltshire',
    published: '2022-07-07',
    body: 'Wiltshire Police has been placed in special measures by the police inspectorate.\nThe force said it accepted the findings.',
  }),
];

describe('article ids', () => {
  it('publisher, date and the title’s meaningful words, kebab-case, at most 80 characters', () => {
    expect(
      articleIdFor({
        publisher: 'Sky News',
        published: '2023-11-24',
        title: 'West Midlands Police put into special measures',
      }),
    ).toBe('sky-news-2023-11-24-west-midlands-police-put-special-measures');
    const long = articleIdFor({
      publisher: 'The Ÿorkshire Post & Évening Courier Group Ltd',
      published: '2024-01-02',
      title:
        'Inspectors say the force’s call handling, investigations, custody, vetting and leadership all need urgent work',
    });
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(long.startsWith('the-yorkshire-post-evening-2024-01-02-inspectors-force')).toBe(true);
    expect(articleIdFor({ publisher: '***', published: '2024-01-02', title: '../../etc/passwd' })).toBe(
      'article-2024-01-02-etc-passwd',
    );
  });

  it('adds a suffix when the id is taken', () => {
    expect(uniqueId('a-2024-01-01-x', new Set(['a-2024-01-01-x', 'a-2024-01-01-x-2']))).toBe(
      'a-2024-01-01-x-3',
    );
  });
});

describe('draftToArticleFile', () => {
  it('writes front matter and one paragraph per line, and the loader reads it back', () => {
    const r = draftToArticleFile(bbc, { today: TODAY });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.id).toBe('bbc-news-2024-06-14-lincolnshire-police-placed-special-measures-inspectors');
    expect(r.file).toBe(`articles/${r.id}.md`);
    expect(
      r.text.startsWith(
        `---\nid: ${r.id}\ntitle: Lincolnshire Police placed in special measures by inspectors\n`,
      ),
    ).toBe(true);
    const parsed = parseArticleFile(r.file, new TextEncoder().encode(r.text), { today: TODAY });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.article).toMatchObject({
      publisher: 'BBC News',
      published: '2024-06-14',
      url: 'https://www.bbc.co.uk/news/articles/c0lincs4engage',
      author: 'Amira Patel',
    });
    expect(parsed.article.paragraphs).toEqual(bbc.paragraphs);
    // Cleaning again on load keeps every line: the file holds only the story.
    expect(cleanParagraphs(parsed.article.paragraphs).dropped).toEqual([]);
  });

  it('quotes YAML-hostile titles safely', () => {
    const r = draftToArticleFile(
      { ...bbc, title: 'Police chief: "we failed" — #1 priority: [victims] & {trust}', publisher: 'Yes: No' },
      { today: TODAY },
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.article.title).toBe('Police chief: "we failed" — #1 priority: [victims] & {trust}');
  });

  it('refuses a draft without a date, title or text, and a future date', () => {
    const r = draftToArticleFile(noDate, { today: TODAY });
    expect(r).toEqual({ ok: false, errors: ['the article needs a publication date (YYYY-MM-DD)'] });
    const empty: DraftArticle = { ...bbc, title: null, paragraphs: [] };
    expect(draftToArticleFile(empty, { today: TODAY })).toEqual({
      ok: false,
      errors: ['the article needs a title', 'the article has no text'],
    });
    const future = draftToArticleFile(bbc, { today: '2024-01-01' });
    expect(future.ok).toBe(false);
    if (!future.ok) expect(future.errors[0]).toMatch(/in the future/);
  });

  it('a saved file without an address records its source instead', () => {
    const r = draftToArticleFile({ ...bbc, url: null, source: 'lincs.html' }, { today: TODAY });
    expect(r.ok && r.text).toContain('source: lincs.html');
  });
});

describe('applyFixes', () => {
  it('gives a missing date, in any common spelling', () => {
    const fixed = applyFixes(noDate, { published: '2 April 2024' }, { today: TODAY });
    expect(fixed.ok && fixed.draft.published).toBe('2024-04-02');
    expect(fixed.ok && draftToArticleFile(fixed.draft, { today: TODAY }).ok).toBe(true);
  });

  it('refuses a date that is not one, or is in the future', () => {
    expect(applyFixes(noDate, { published: 'last Tuesday' }, { today: TODAY })).toEqual({
      ok: false,
      reason: '“last Tuesday” is not a date: write it as YYYY-MM-DD',
    });
    expect(applyFixes(noDate, { published: '2030-01-01' }, { today: TODAY })).toEqual({
      ok: false,
      reason: '2030-01-01 is in the future (today is 2025-01-01)',
    });
  });

  it('corrects the title and publisher, leaving blanks alone', () => {
    const fixed = applyFixes(bbc, { title: '  New   title ', publisher: '', published: null });
    expect(fixed.ok && [fixed.draft.title, fixed.draft.publisher, fixed.draft.published]).toEqual([
      'New title',
      'BBC News',
      '2024-06-14',
    ]);
  });
});

describe('previewDraft', () => {
  it('counts passages, lists forces, and shows a force entering special measures', () => {
    const engine = createEngine(BASE, FORCES);
    const p = previewDraft(bbc, { articles: BASE, forces: FORCES, engine }, { today: TODAY });
    expect(p.articleId).toBe('bbc-news-2024-06-14-lincolnshire-police-placed-special-measures-inspectors');
    expect(p.passages).toBe(12);
    expect(p.firstPassages).toHaveLength(3);
    expect(p.firstPassages[0]?.text).toBe(bbc.paragraphs[0]);
    expect(p.forces[0]).toMatchObject({ slug: 'lincolnshire', name: 'Lincolnshire Police' });
    expect(p.statusChanges).toEqual([
      {
        force: 'lincolnshire',
        name: 'Lincolnshire Police',
        before: { stage: 'unknown', asOf: null },
        after: { stage: 'engage', asOf: '2024-06-14' },
        because: bbc.paragraphs[0],
      },
    ]);
    expect(p.duplicateOf).toBeNull();
    // Nothing was changed: the live engine still knows nothing about Lincolnshire.
    expect(engine.statuses.get('lincolnshire')).toBeUndefined();
  });

  it('without a date: passages and forces, but no status comparison yet', () => {
    const p = previewDraft(noDate, { articles: BASE, forces: FORCES }, { today: TODAY });
    expect(p.articleId).toBeNull();
    expect(p.statusChanges).toBeNull();
    expect(p.passages).toBeGreaterThan(4);
    expect(p.forces.map((f) => f.slug)).toContain('kent');
  });

  it('recognises an article already in the knowledge base by its address, and replaces it', () => {
    const saved = draftToArticleFile(bbc, { today: TODAY });
    if (!saved.ok) throw new Error('draft did not save');
    const articles = [...BASE, saved.article];
    const p = previewDraft(bbc, { articles, forces: FORCES }, { today: TODAY });
    expect(p.duplicateOf).toBe(saved.id);
    expect(p.articleId).toBe(saved.id);
    expect(p.statusChanges).toEqual([]);
  });
});
