/**
 * Concurrency at the holder, with real files: changes to the knowledge base run one at a time, and every
 * question asked while they run is answered from one complete index (never half old, half new).
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/answer/compose.js';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const enc = (s: string) => new TextEncoder().encode(s);
const file = (id: string, published: string, body: string) =>
  enc(`---\nid: ${id}\ntitle: T\npublisher: BBC News\npublished: ${published}\n---\n${body}\n`);
const LEAVES = 'bbc-2024-05-02-cleveland-leaves';
const leaves = file(
  LEAVES,
  '2024-05-02',
  'Cleveland Police has been taken out of special measures, the police inspectorate has said.',
);
const BACK = 'bbc-2024-06-01-cleveland-back';
const back = file(
  BACK,
  '2024-06-01',
  'Cleveland Police has been put back into special measures, the police inspectorate has said.',
);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pib-concurrency-'));
  await cp(KNOWLEDGE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What /status cleveland must say for the articles an engine holds. */
function expectedStage(e: Engine): string {
  if (e.kb.articles.has(BACK)) return 'engage';
  if (e.kb.articles.has(LEAVES)) return 'scan';
  return 'engage';
}

describe('concurrent changes', () => {
  it('two refreshes at once run one after the other: only the first sees the change', async () => {
    const holder = await KnowledgeHolder.open(dir, { cache: false });
    await writeFile(path.join(dir, 'articles', `${LEAVES}.md`), leaves);
    const [a, b] = await Promise.all([holder.refresh('m1'), holder.refresh('m2')]);
    expect(a.ok && b.ok).toBe(true);
    // Overlapping refreshes would both compare against the old index and both report the change.
    expect(a.ok && a.changes.map((c) => c.force)).toEqual(['cleveland']);
    expect(b.ok && b.changes).toEqual([]);
    expect(holder.lastRefresh.by).toBe('m2');
  });

  it('two adds at once run one after the other: the second sees the first', async () => {
    const holder = await KnowledgeHolder.open(dir, { cache: false });
    const [a, b] = await Promise.all([holder.add(LEAVES, leaves, 'm1'), holder.add(BACK, back, 'm2')]);
    expect(a.ok && a.changes).toEqual([
      expect.objectContaining({
        force: 'cleveland',
        before: { stage: 'engage', asOf: '2022-07-07' },
        after: { stage: 'scan', asOf: '2024-05-02' },
      }),
    ]);
    // From the state after the first add (scan), not from the state both started from (engage 2022).
    expect(b.ok && b.changes).toEqual([
      expect.objectContaining({
        before: { stage: 'scan', asOf: '2024-05-02' },
        after: { stage: 'engage', asOf: '2024-06-01' },
      }),
    ]);
    expect(holder.summary().articles).toBe(4);
  });

  it('questions asked during 6 adds, removes and refreshes are answered from one consistent index', async () => {
    const holder = await KnowledgeHolder.open(dir, { cache: false });
    let stop = false;
    let asked = 0;
    const seen = new Set<Engine>();
    const reader = (async () => {
      while (!stop) {
        const e = holder.engine;
        seen.add(e);
        const status = e.answer('/status cleveland');
        expect(status.status?.stage).toBe(expectedStage(e));
        for (const c of status.citations) expect(e.kb.articles.has(c.articleId)).toBe(true);
        const free = e.answer('is cleveland police in special measures?');
        for (const c of free.citations) expect(e.kb.articles.has(c.articleId)).toBe(true);
        for (const id of e.kb.byArticle.keys()) expect(e.kb.articles.has(id)).toBe(true);
        asked += 2;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 2; i++) {
      ops.push(holder.add(LEAVES, leaves, `m${i}`));
      ops.push(i % 2 ? holder.add(BACK, back, `m${i}`) : holder.refresh(`m${i}`));
      ops.push(holder.remove(i % 2 ? BACK : LEAVES, `m${i}`));
    }
    const results = await Promise.all(ops);
    stop = true;
    await reader;
    expect(results.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(asked).toBeGreaterThan(6);
    expect(seen.size).toBeGreaterThan(1);
    // The last round added LEAVES and BACK and removed BACK: LEAVES stays; disk and index agree.
    const onDisk = (await readdir(path.join(dir, 'articles'))).filter((n) => n.endsWith('.md'));
    expect(onDisk.map((n) => n.slice(0, -3)).sort()).toEqual([...holder.engine.kb.articles.keys()].sort());
    expect(holder.engine.answer('/status cleveland').status?.stage).toBe('scan');
  }, 120_000);
});
