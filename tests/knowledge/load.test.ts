import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeFolderError, knowledgeDir, loadKnowledgeFolder } from '../../src/knowledge/load.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

async function folder(files: Record<string, string>, withForces = true): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-load-'));
  await mkdir(path.join(dir, 'articles'));
  if (withForces) await copyFile(path.join(KNOWLEDGE_DIR, 'forces.json'), path.join(dir, 'forces.json'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, 'articles', name), text);
  return dir;
}

const good = (id: string, date = '2024-03-01') =>
  `---\nid: ${id}\ntitle: T\npublisher: P\npublished: ${date}\n---\nSurrey Police was put into special measures.\n`;

describe('loadKnowledgeFolder', () => {
  it.each([
    [
      '000_1765b456dc4bf613.txt',
      'sky-news-2023-11-24-west-midlands-special-measures',
      'Sky News',
      '2023-11-24',
    ],
    ['004_c2bed89ddd0e713f.txt', 'pa-2022-07-07-wiltshire-police-report', 'Press Association', '2022-07-07'],
  ])('keeps seed %s as article %s, its text unchanged', async (seed, id, publisher, published) => {
    const { articles } = await loadKnowledgeFolder(KNOWLEDGE_DIR);
    const lines = readFileSync(path.join(import.meta.dirname, '../fixtures/shared/seeds', seed), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    expect(articles.find((a) => a.id === id)).toMatchObject({ publisher, published, paragraphs: lines });
  });

  it('loads the bundled knowledge without issues', async () => {
    const loaded = await loadKnowledgeFolder(KNOWLEDGE_DIR);
    expect(loaded.issues).toEqual([]);
    expect(loaded.articles.length).toBeGreaterThanOrEqual(2);
    expect(loaded.forces.length).toBe(48);
  });

  it('keeps the valid articles and reports every broken file by name', async () => {
    const dir = await folder({
      'good-one.md': good('good-one'),
      'bad-date.md': good('bad-date', '2024-13-01'),
      'wrong-id.md': good('another-id'),
      'notes.txt': 'not an article',
    });
    const loaded = await loadKnowledgeFolder(dir);
    expect(loaded.articles.map((a) => a.id)).toEqual(['good-one']);
    const byFile = Object.fromEntries(loaded.issues.map((i) => [i.file, i]));
    expect(byFile['articles/bad-date.md']).toMatchObject({ severity: 'error', field: 'published' });
    expect(byFile['articles/wrong-id.md']).toMatchObject({ severity: 'error', field: 'id' });
    expect(byFile['articles/notes.txt']).toMatchObject({ severity: 'warning' });
  });

  it('loads a folder of 10,000 files, reporting the broken ones among them', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) {
      const id = `article-${i}`;
      files[`${id}.md`] = i % 1000 === 7 ? `---\nid: ${id}\n---\nNo title.\n` : good(id);
    }
    const dir = await folder(files);
    const loaded = await loadKnowledgeFolder(dir);
    expect(loaded.articles).toHaveLength(9_990);
    expect(loaded.issues.filter((i) => i.severity === 'error')).toHaveLength(30);
    expect(loaded.issues.map((i) => i.file)).toContain('articles/article-7.md');
  }, 60_000);

  it('reads a folder of articles only with the bundled gazetteer, and says so', async () => {
    const dir = await folder({ 'good-one.md': good('good-one') }, false);
    const loaded = await loadKnowledgeFolder(dir);
    expect(loaded.articles.map((a) => a.id)).toEqual(['good-one']);
    expect(loaded.forces.length).toBe(48);
    expect(loaded.issues).toEqual([
      expect.objectContaining({
        file: 'forces.json',
        severity: 'warning',
        message: expect.stringMatching(/bundled/),
      }),
    ]);
  });

  it('explains a folder that cannot be read instead of crashing on it', async () => {
    await expect(loadKnowledgeFolder(path.join(tmpdir(), 'no-such-knowledge-folder'))).rejects.toThrow(
      KnowledgeFolderError,
    );
  });

  it('reports an invalid gazetteer entry by its position', async () => {
    const dir = await folder({});
    await writeFile(path.join(dir, 'forces.json'), JSON.stringify([{ slug: 'Bad Slug', name: 'X' }]));
    await expect(loadKnowledgeFolder(dir)).rejects.toThrow(/forces\.json is invalid: 0\.slug/);
  });

  it('reads KNOWLEDGE_DIR, defaulting to ./knowledge', () => {
    expect(knowledgeDir({ KNOWLEDGE_DIR: '/srv/kb' })).toBe('/srv/kb');
    expect(knowledgeDir({})).toBe(path.resolve('knowledge'));
  });
});
