import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGapStore, type GapEntry, readGaps, summariseGaps } from '../../src/ingest/gaps.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gaps-'));
  file = path.join(dir, 'data', 'gaps.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gap store', () => {
  it('appends one JSON line per entry, with no user ids', async () => {
    const store = createGapStore(file);
    await store.record({
      kind: 'abstained',
      question: 'who runs <@123456789012345678> kent police?\n',
      channel: 'general',
      force: 'kent',
      time: new Date('2024-05-01T10:00:00Z'),
    });
    await store.record({
      kind: 'unhelpful',
      question: 'is the met in special measures',
      time: new Date('2024-05-02T10:00:00Z'),
    });
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text).not.toContain('123456789012345678');
    expect(await readGaps(file)).toEqual([
      {
        time: '2024-05-01T10:00:00.000Z',
        kind: 'abstained',
        question: 'who runs @… kent police?',
        channel: 'general',
        force: 'kent',
      },
      {
        time: '2024-05-02T10:00:00.000Z',
        kind: 'unhelpful',
        question: 'is the met in special measures',
        channel: null,
        force: null,
      },
    ]);
  });

  it('reading tolerates a truncated last line, and the next append does not join it', async () => {
    const store = createGapStore(file);
    await store.record({ kind: 'abstained', question: 'first' });
    await appendFile(file, '{"time":"2024-05-0'); // a write cut short
    expect((await readGaps(file)).map((e) => e.question)).toEqual(['first']);
    const reopened = createGapStore(file);
    await reopened.record({ kind: 'abstained', question: 'after the crash' });
    expect((await readGaps(file)).map((e) => e.question)).toEqual(['first', 'after the crash']);
  });

  it('a missing file reads as no gaps', async () => {
    expect(await readGaps(path.join(dir, 'none.jsonl'))).toEqual([]);
  });

  it('skips lines that are not gap entries', async () => {
    await writeFile(path.join(dir, 'x.jsonl'), '{"kind":"abstained"}\nnot json\n[1]\n');
    expect(await readGaps(path.join(dir, 'x.jsonl'))).toEqual([]);
  });

  it('stays bounded: compacts to the newest entries', async () => {
    const store = createGapStore(file, { maxEntries: 20 });
    for (let i = 0; i < 60; i++) await store.record({ kind: 'abstained', question: `question ${i}` });
    const entries = await readGaps(file);
    expect(entries.length).toBeLessThanOrEqual(22);
    expect(entries.at(-1)?.question).toBe('question 59');
    expect(entries.map((e) => e.question)).not.toContain('question 0');
  });

  it('concurrent records all land, each on its own line', async () => {
    const store = createGapStore(file);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.record({ kind: 'abstained', question: `q${i}` })),
    );
    expect(await store.read()).toHaveLength(50);
  });

  it('caps very long questions', async () => {
    const store = createGapStore(file);
    await store.record({ kind: 'abstained', question: 'x'.repeat(5000) });
    expect((await readGaps(file))[0]?.question).toHaveLength(500);
  });
});

describe('summariseGaps', () => {
  const at = (n: number) => `2024-05-${String(n).padStart(2, '0')}T12:00:00.000Z`;
  const entries: GapEntry[] = [
    {
      time: at(1),
      kind: 'abstained',
      question: 'Who is the chief constable of Kent Police?',
      force: 'kent',
      channel: 'a',
    },
    {
      time: at(2),
      kind: 'abstained',
      question: 'who is the Chief Constable of kent police',
      force: 'kent',
      channel: 'a',
    },
    {
      time: at(3),
      kind: 'unhelpful',
      question: 'what did kent police say about custody?',
      force: 'kent',
      channel: 'b',
    },
    { time: at(4), kind: 'abstained', question: 'How much does policing cost?', force: null, channel: null },
    { time: at(5), kind: 'abstained', question: 'what is the cost of policing', force: null, channel: null },
    {
      time: at(6),
      kind: 'abstained',
      question: 'Is Lincolnshire in special measures?',
      force: 'lincolnshire',
      channel: 'a',
    },
  ];

  it('groups by force, most frequent first, with newest examples', () => {
    const s = summariseGaps(entries, { protectedWords: ['kent', 'lincolnshire'] });
    expect([s.total, s.abstained, s.unhelpful]).toEqual([6, 5, 1]);
    expect(s.byForce.map((g) => [g.key, g.count])).toEqual([
      ['kent', 3],
      ['lincolnshire', 1],
    ]);
    expect(s.byForce[0]).toMatchObject({ abstained: 2, unhelpful: 1, latest: at(3) });
    expect(s.byForce[0]?.examples[0]).toBe('what did kent police say about custody?');
  });

  it('groups by significant words: case, stop words and endings ignored', () => {
    const s = summariseGaps(entries, { protectedWords: ['kent', 'lincolnshire'] });
    expect(s.byWords.map((g) => g.count)).toEqual([2, 2, 1, 1]);
    const chief = s.byWords.find((g) => g.key.includes('chief'));
    expect(chief?.key.split(' ').sort()).toEqual(['chief', 'constable', 'kent', 'police']);
    expect(chief?.count).toBe(2);
    const cost = s.byWords.find((g) => g.key.includes('cost'));
    expect(cost?.key.split(' ').sort()).toEqual(['cost', 'policing']);
    expect(cost?.count).toBe(2);
    expect(cost?.examples).toEqual(['what is the cost of policing', 'How much does policing cost?']);
    // "police" and "policing" share a stem, shown in its commonest spelling.
    expect(s.topWords.slice(0, 2)).toEqual([
      { word: 'police', count: 5 },
      { word: 'kent', count: 3 },
    ]);
  });

  it('limits the groups and can look at recent entries only', () => {
    const s = summariseGaps(entries, { limit: 1, since: at(4) });
    expect(s.total).toBe(3);
    expect(s.byForce).toHaveLength(1);
    expect(s.byWords).toHaveLength(1);
    expect(s.byWords[0]?.key).toMatch(/cost/);
  });
});
