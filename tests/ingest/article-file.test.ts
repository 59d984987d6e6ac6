import { describe, expect, it } from 'vitest';
import { articleIdFor, prepareArticle } from '../../src/ingest/article-file.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('prepareArticle', () => {
  it('builds front matter from the options and derives a kebab id', () => {
    const p = prepareArticle(
      'story.txt',
      enc('\uFEFFFirst paragraph.\nSecond paragraph.\n'),
      {
        title: 'Force “praised” by HMICFRS: A & B',
        publisher: 'The Guardian',
        published: '2024-03-05',
        url: 'https://www.theguardian.com/x',
      },
      '2025-01-01',
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.id).toBe('the-guardian-2024-03-05-force-praised-hmicfrs-b');
    expect(new TextDecoder().decode(p.bytes)).toBe(
      '---\nid: the-guardian-2024-03-05-force-praised-hmicfrs-b\ntitle: "Force “praised” by HMICFRS: A & B"\npublisher: The Guardian\npublished: 2024-03-05\nurl: https://www.theguardian.com/x\n---\nFirst paragraph.\nSecond paragraph.\n',
    );
    expect(p.article.paragraphs).toEqual(['First paragraph.', 'Second paragraph.']);
  });

  it('keeps a file with front matter as is and names the ignored options', () => {
    const text = '---\nid: sky-2024-01-01-x\ntitle: X\npublisher: Sky\npublished: 2024-01-01\n---\nBody.\n';
    const p = prepareArticle('x.md', enc(text), { title: 'ignored' }, '2025-01-01');
    expect(p).toMatchObject({
      ok: true,
      id: 'sky-2024-01-01-x',
      builtFrontMatter: false,
      ignoredOptions: ['title'],
    });
  });

  it('reports what is wrong, naming the file', () => {
    expect(prepareArticle('x.txt', enc('Body.'), { title: 'T' }, '2025-01-01')).toMatchObject({
      ok: false,
      issues: [{ file: 'upload x.txt', message: expect.stringMatching(/`publisher`, `published`/) }],
    });
    const future = prepareArticle(
      'x.txt',
      enc('Body.'),
      { title: 'T', publisher: 'P', published: '2030-01-01' },
      '2025-01-01',
    );
    expect(future).toMatchObject({
      ok: false,
      issues: [{ file: 'articles/p-2030-01-01-t.md', field: 'published' }],
    });
    const badDate = prepareArticle(
      'x.txt',
      enc('Body.'),
      { title: 'T', publisher: 'P', published: '2024-02-30' },
      '2025-01-01',
    );
    expect(badDate.ok).toBe(false);
    const noId = prepareArticle(
      'x.md',
      enc('---\ntitle: X\npublisher: P\npublished: 2024-01-01\n---\nB.\n'),
      {},
      '2025-01-01',
    );
    expect(noId).toMatchObject({ ok: false, issues: [{ file: 'upload x.md', field: 'id' }] });
    expect(prepareArticle('x.md', new Uint8Array([0xff, 0xfe, 0x00]), {}, '2025-01-01')).toMatchObject({
      ok: false,
    });
  });

  it('derives ids with articleIdFor: valid and bounded', () => {
    const id = articleIdFor({ publisher: 'Ça & Co', published: '2024-01-01', title: 'word '.repeat(100) });
    expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(id.startsWith('ca-co-2024-01-01-word')).toBe(true);
  });
});
