import { describe, expect, it } from 'vitest';
import {
  checkAttachment,
  DISCORD_ATTACHMENT_HOSTS,
  deriveArticleId,
  prepareArticle,
} from '../../src/discord/upload.js';

const enc = (s: string) => new TextEncoder().encode(s);
const att = (over = {}) => ({
  name: 'a.md',
  url: 'https://cdn.discordapp.com/attachments/1/2/a.md',
  size: 100,
  contentType: 'text/markdown; charset=utf-8',
  ...over,
});

describe('checkAttachment', () => {
  it('accepts .md/.txt text up to 1 MB from Discord’s CDN only', () => {
    expect(checkAttachment(att(), DISCORD_ATTACHMENT_HOSTS)).toBeNull();
    expect(checkAttachment(att({ name: 'a.TXT', contentType: null }), DISCORD_ATTACHMENT_HOSTS)).toBeNull();
    expect(checkAttachment(att({ name: 'a.pdf' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(/not a \.md or \.txt/);
    expect(checkAttachment(att({ size: 2_000_000 }), DISCORD_ATTACHMENT_HOSTS)).toMatch(/2\.0 MB/);
    expect(checkAttachment(att({ contentType: 'image/png' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /image\/png, not text/,
    );
    expect(checkAttachment(att({ url: 'https://evil.example/a.md' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /file servers/,
    );
    expect(checkAttachment(att({ url: 'http://cdn.discordapp.com/a.md' }), DISCORD_ATTACHMENT_HOSTS)).toMatch(
      /not HTTPS/,
    );
    expect(
      checkAttachment(att({ url: 'http://127.0.0.1:5000/attachments/a.md' }), ['127.0.0.1:5000']),
    ).toBeNull();
  });
});

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
    expect(p.id).toBe('the-guardian-2024-03-05-force-praised-by-hmicfrs-a-and-b');
    expect(new TextDecoder().decode(p.bytes)).toBe(
      '---\nid: the-guardian-2024-03-05-force-praised-by-hmicfrs-a-and-b\ntitle: "Force “praised” by HMICFRS: A & B"\npublisher: The Guardian\npublished: 2024-03-05\nurl: https://www.theguardian.com/x\n---\nFirst paragraph.\nSecond paragraph.\n',
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

  it('deriveArticleId stays a valid, bounded id', () => {
    const id = deriveArticleId('Ça & Co', '2024-01-01', 'word '.repeat(100));
    expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(id.length).toBeLessThanOrEqual(80);
    expect(id.startsWith('ca-and-co-2024-01-01-word')).toBe(true);
  });
});
