import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import { AuditLog } from '../../src/discord/audit.js';

const KNOWLEDGE = path.resolve(import.meta.dirname, '../../knowledge');
const enc = (s: string) => new TextEncoder().encode(s);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-holder-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const article = (id: string, body: string, published = '2024-05-02') =>
  enc(`---\nid: ${id}\ntitle: T\npublisher: BBC News\npublished: ${published}\n---\n${body}\n`);

describe('KnowledgeHolder', () => {
  it('refresh with a broken file keeps the old engine and names the file; fixing it swaps', async () => {
    const holder = await KnowledgeHolder.open(dir);
    const before = holder.engine;
    await writeFile(path.join(dir, 'articles', 'oops.md'), 'no front matter');
    const r = await holder.refresh('u1');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]?.file).toBe('articles/oops.md');
    expect(holder.engine).toBe(before);
    expect(holder.lastRefresh).toMatchObject({ ok: false, by: 'u1' });
    await rm(path.join(dir, 'articles', 'oops.md'));
    const ok = await holder.refresh('u1');
    expect(ok.ok).toBe(true);
    expect(holder.engine).not.toBe(before);
  });

  it('add writes atomically, reports passages, forces and status changes', async () => {
    const holder = await KnowledgeHolder.open(dir);
    const r = await holder.add(
      'bbc-2024-05-02-cleveland',
      article(
        'bbc-2024-05-02-cleveland',
        'Cleveland Police has been taken out of special measures, the police inspectorate has said.',
      ),
    );
    expect(r).toMatchObject({
      ok: true,
      articleId: 'bbc-2024-05-02-cleveland',
      replaced: false,
      forces: ['cleveland'],
    });
    expect(r.ok && r.changes).toEqual([
      {
        force: 'cleveland',
        name: 'Cleveland Police',
        before: { stage: 'engage', asOf: '2022-07-07' },
        after: { stage: 'scan', asOf: '2024-05-02' },
      },
    ]);
    expect(holder.engine.answer('/status cleveland').status?.stage).toBe('scan');
    expect((await readdir(path.join(dir, 'articles'))).some((f) => f.startsWith('.'))).toBe(false);
    const again = await holder.add(
      'bbc-2024-05-02-cleveland',
      article('bbc-2024-05-02-cleveland', 'Cleveland Police was praised.'),
    );
    expect(again).toMatchObject({ ok: true, replaced: true });
  });

  it('add rolls back when the folder has errors, so disk and answers stay in step', async () => {
    const holder = await KnowledgeHolder.open(dir);
    await writeFile(path.join(dir, 'articles', 'oops.md'), 'broken');
    const r = await holder.add(
      'bbc-2024-05-02-x',
      article('bbc-2024-05-02-x', 'Cleveland Police was praised.'),
    );
    expect(r.ok).toBe(false);
    expect(await readdir(path.join(dir, 'articles'))).not.toContain('bbc-2024-05-02-x.md');
  });

  it('remove deletes (even a broken file), restores when the rebuild fails, refuses unknown ids', async () => {
    const holder = await KnowledgeHolder.open(dir);
    await writeFile(path.join(dir, 'articles', 'oops.md'), 'broken');
    expect(await holder.exists('oops')).toBe(true);
    expect((await holder.remove('oops')).ok).toBe(true);
    expect(await holder.remove('oops')).toEqual({ ok: false, missing: true });
    expect(await holder.exists('../forces')).toBe(false);
    await expect(holder.remove('../forces')).rejects.toThrow();

    await writeFile(path.join(dir, 'articles', 'oops.md'), 'broken');
    const r = await holder.remove('pa-2022-07-07-wiltshire-police-report');
    expect(r.ok).toBe(false);
    expect(await readdir(path.join(dir, 'articles'))).toContain('pa-2022-07-07-wiltshire-police-report.md');
  });

  it('keeps answering from the old knowledge while a refresh builds, then from the new', async () => {
    const holder = await KnowledgeHolder.open(dir);
    const old = holder.engine;
    expect(holder.engine.answer('/status cleveland').status?.stage).toBe('engage');
    await writeFile(
      path.join(dir, 'articles', 'bbc-2024-05-02-cleveland.md'),
      article(
        'bbc-2024-05-02-cleveland',
        'Cleveland Police has been taken out of special measures, the police inspectorate has said.',
      ),
    );
    let done = false;
    const refresh = holder.refresh('u1').then((r) => {
      done = true;
      return r;
    });
    // Ask again and again until the refresh is in: every answer comes from the old engine.
    let answeredBefore = 0;
    while (!done) {
      expect(holder.engine).toBe(old);
      expect(holder.engine.answer('/status cleveland').status?.stage).toBe('engage');
      answeredBefore++;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(answeredBefore).toBeGreaterThan(1);
    expect((await refresh).ok).toBe(true);
    expect(holder.engine).not.toBe(old);
    expect(holder.engine.answer('/status cleveland').status?.stage).toBe('scan');
    expect(holder.lastRefresh).toMatchObject({ ok: true, by: 'u1' });
  });

  it('keeps answering while an add builds; the added article answers once it resolves', async () => {
    const holder = await KnowledgeHolder.open(dir);
    let done = false;
    const add = holder
      .add(
        'bbc-2024-05-02-cleveland',
        article(
          'bbc-2024-05-02-cleveland',
          'Cleveland Police has been taken out of special measures, the police inspectorate has said.',
        ),
      )
      .then((r) => {
        done = true;
        return r;
      });
    let answeredBefore = 0;
    while (!done) {
      expect(holder.engine.answer('/status cleveland').status?.stage).toBe('engage');
      expect(holder.engine.kb.articles.has('bbc-2024-05-02-cleveland')).toBe(false);
      answeredBefore++;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(answeredBefore).toBeGreaterThan(1);
    expect(await add).toMatchObject({ ok: true, articleId: 'bbc-2024-05-02-cleveland' });
    expect(holder.engine.answer('/status cleveland').status?.stage).toBe('scan');
  });

  it('runs changes one at a time', async () => {
    const holder = await KnowledgeHolder.open(dir);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        holder.add(
          `bbc-2024-05-0${i + 1}-n`,
          article(`bbc-2024-05-0${i + 1}-n`, 'Cleveland Police was praised.', `2024-05-0${i + 1}`),
        ),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(holder.summary().articles).toBe(7);
  });
});

describe('AuditLog', () => {
  it('appends JSON lines and reads the newest first, skipping torn lines', async () => {
    const log = new AuditLog(path.join(dir, 'sub', 'audit.log.jsonl'));
    expect(await log.recent()).toEqual([]);
    await log.append({ action: 'add', ok: true, userId: '1', userTag: 'a', guildId: 'g', articleId: 'x' });
    await appendFile(log.file, '{"torn": \n');
    await log.append({ action: 'remove', ok: true, userId: '2', userTag: 'b', guildId: 'g', articleId: 'x' });
    const recent = await log.recent();
    expect(recent.map((e) => e.action)).toEqual(['remove', 'add']);
    expect(recent[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await readFile(log.file, 'utf8')).split('\n')).toHaveLength(4);
  });
});
