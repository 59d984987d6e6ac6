import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INDEX_VERSION } from '../../src/answer/cache.js';
import { openKnowledge } from '../../src/answer/open.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const QUESTIONS = [
  '/status west-midlands',
  '/status wiltshire',
  '/findings west-midlands',
  '/responses wiltshire',
  '/forces',
  '/sources',
  'why was the met put into special measures?',
  'who is Craig Guildford?',
  'what did Wiltshire Police say?',
  'what is the weather like',
  'west midlnads investigations',
];

let dir: string;
let cache: string;
let logs: string[];
const log = (m: string) => logs.push(m);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kb-cache-'));
  await cp(KNOWLEDGE_DIR, dir, { recursive: true, filter: (src) => !src.includes('.cache') });
  cache = path.join(dir, '.cache');
  logs = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('index cache', () => {
  it('a second start loads the cache and answers exactly as the cold build', async () => {
    const cold = await openKnowledge(dir, { log, cache });
    expect(cold.cache).toBe('miss');
    const warm = await openKnowledge(dir, { log, cache });
    expect(warm.cache).toBe('hit');
    expect(logs).toEqual([]);
    for (const q of QUESTIONS) expect(warm.engine.answer(q)).toEqual(cold.engine.answer(q));
    expect(warm.engine.kb.passages).toEqual(cold.engine.kb.passages);
    expect(warm.issues).toEqual(cold.issues);
    expect(warm.loaded.articles.map((a) => a.id)).toEqual(cold.loaded.articles.map((a) => a.id));
  });

  it('a changed article or gazetteer misses the cache', async () => {
    await openKnowledge(dir, { log, cache });
    const file = path.join(dir, 'articles', (await readdir(path.join(dir, 'articles')))[0] as string);
    await writeFile(file, `${await readFile(file, 'utf8')}The force said it was pleased.\n`);
    const changed = await openKnowledge(dir, { log, cache });
    expect(changed.cache).toBe('miss');
    expect(logs.some((l) => l.includes('stale'))).toBe(true);
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('hit');
    const forces = path.join(dir, 'forces.json');
    await writeFile(forces, `${await readFile(forces, 'utf8')}\n`);
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('miss');
  });

  it('ignores a corrupt or truncated cache, logs it and rebuilds', async () => {
    const cold = await openKnowledge(dir, { log, cache });
    const file = path.join(cache, 'index.bin');
    const bytes = await readFile(file);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    await writeFile(file, flipped);
    const a = await openKnowledge(dir, { log, cache });
    expect(a.cache).toBe('miss');
    expect(logs.at(-1)).toMatch(/corrupt/);
    expect(a.engine.answer('/status west-midlands')).toEqual(cold.engine.answer('/status west-midlands'));
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('miss');
    expect(logs.at(-1)).toMatch(/truncated/);
    await writeFile(file, 'garbage');
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('miss');
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('hit');
  });

  it('ignores a cache written by another index version', async () => {
    await openKnowledge(dir, { log, cache });
    const file = path.join(cache, 'index.bin');
    const text = (await readFile(file)).toString('latin1');
    await writeFile(file, Buffer.from(text.replace(`"version":${INDEX_VERSION},`, '"version":0,'), 'latin1'));
    expect((await openKnowledge(dir, { log, cache })).cache).toBe('miss');
    expect(logs.at(-1)).toMatch(/index version 0/);
  });

  it('writes atomically: no temporary files are left, and INDEX_CACHE_DIR-style folders work', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    await Promise.all([
      openKnowledge(dir, { log, cache: elsewhere }),
      openKnowledge(dir, { log, cache: elsewhere }),
    ]);
    expect(await readdir(elsewhere)).toEqual(['index.bin']);
    expect((await openKnowledge(dir, { log, cache: elsewhere })).cache).toBe('hit');
    expect((await openKnowledge(dir, { log, cache: false })).cache).toBe('off');
  });
});
