import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';
import { PAGES_DIR } from '../support/page-server.js';

/**
 * `npm run kb -- add` and `npm run kb -- gaps` as processes, each test on its own temp copy of the
 * knowledge folder, so the tests run concurrently.
 */

const run = promisify(execFile);
const dirs: string[] = [];

async function fresh(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kb-add-'));
  dirs.push(dir);
  await cp(KNOWLEDGE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function kb(dir: string, args: string[], env: Record<string, string> = {}) {
  // One node process with the tsx loader (the tsx CLI would start a second one).
  const child = run(process.execPath, ['--import', 'tsx', 'src/cli/kb.ts', ...args], {
    env: { ...process.env, KNOWLEDGE_DIR: dir, INDEX_CACHE: 'off', GAPS_PATH: '', ...env },
  });
  child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const articles = async (dir: string) => (await readdir(path.join(dir, 'articles'))).sort();
const page = (name: string) => path.join(PAGES_DIR, name);

describe.concurrent('npm run kb -- add', () => {
  it('--file without --yes prints the preview and writes nothing (exit 1)', async () => {
    const dir = await fresh();
    const { code, stdout, stderr } = await kb(dir, ['add', '--file', page('bbc-lincolnshire-engage.html')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^Lincolnshire Police placed in special measures by inspectors\nBBC News · 2024-06-14 · https:\/\/www\.bbc\.co\.uk\//,
    );
    expect(stdout).toMatch(/First passages \(\d+ in all\):\n {2}> Lincolnshire Police has been placed/);
    expect(stdout).toMatch(/Forces found: Lincolnshire Police \(\d+\)/);
    expect(stdout).toMatch(
      /Status changes if saved:\n {2}Lincolnshire Police: unknown .*→ Engage .*\(2024-06-14\)/,
    );
    expect(stderr).toMatch(/Not saved \(preview only\): run again with --yes/);
    expect(await articles(dir)).toHaveLength(2);
  });

  it('--file --yes writes the article, and the answers use it (exit 0)', async () => {
    const dir = await fresh();
    const { code, stdout } = await kb(dir, ['add', '--file', page('bbc-lincolnshire-engage.html'), '--yes']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Saved articles\/bbc-news-2024-06-14-lincolnshire-police-placed-special-measures-inspectors\.md: \d+ passages about Lincolnshire Police\./,
    );
    expect(await articles(dir)).toContain(
      'bbc-news-2024-06-14-lincolnshire-police-placed-special-measures-inspectors.md',
    );
    const { engine } = await openKnowledge(dir, { cache: false });
    expect(engine.answer('/status lincolnshire').status?.stage).toBe('engage');
    // The same page again replaces the article (same address) instead of adding a copy.
    const again = await kb(dir, ['add', '--file', page('bbc-lincolnshire-engage.html'), '--yes']);
    expect(again.stdout).toMatch(/Would replace articles\/bbc-news-2024-06-14-lincolnshire/);
    expect(again.stdout).toMatch(/Replaced articles\//);
    expect(await articles(dir)).toHaveLength(3);
  });

  it('a page with no date needs --published', async () => {
    const dir = await fresh();
    const noDate = await kb(dir, ['add', '--file', page('no-date-kent-blog.html'), '--yes']);
    expect(noDate.code).toBe(1);
    expect(noDate.stdout).toMatch(/Medway Voice · NO DATE/);
    expect(noDate.stderr).toMatch(/Not saved: no publication date found .*Give --published YYYY-MM-DD/);
    const ok = await kb(dir, [
      'add',
      '--file',
      page('no-date-kent-blog.html'),
      '--published',
      '1 March 2024',
      '--yes',
    ]);
    expect(ok.code).toBe(0);
    const file = (await articles(dir)).find((f) => f.startsWith('medway-voice-2024-03-01-'));
    expect(await readFile(path.join(dir, 'articles', file ?? ''), 'utf8')).toMatch(
      /\npublished: 2024-03-01\n/,
    );
  });

  it('refuses a private address, a paywall and a future date (exit 1); bad usage exits 2', async () => {
    const dir = await fresh();
    const priv = await kb(dir, ['add', '--url', 'http://10.0.0.1/story', '--yes']);
    expect(priv).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Not added: refused: 10\.0\.0\.1 is a private address/),
    });
    const paywalled = await kb(dir, [
      'add',
      '--file',
      page('paywalled-times.html'),
      '--published',
      '2999-01-01',
    ]);
    expect(paywalled.code).toBe(1);
    expect(paywalled.stderr).toMatch(/Not added: .*paywall/);
    const future = await kb(dir, [
      'add',
      '--file',
      page('no-date-kent-blog.html'),
      '--published',
      '2999-01-01',
    ]);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/Not added: 2999-01-01 is in the future/);
    expect((await kb(dir, ['add'])).code).toBe(2);
    expect((await kb(dir, ['add', '--url', 'x', '--file', 'y', '--nope'])).code).toBe(2);
  });
});

describe.concurrent('npm run kb -- gaps', () => {
  it('groups the recorded gaps by force and words; --json prints the summary', async () => {
    const dir = await fresh();
    const gaps = path.join(dir, 'gaps.jsonl');
    const line = (
      question: string,
      force: string | null,
      kind = 'abstained',
      time = '2025-01-01T10:00:00.000Z',
    ) => JSON.stringify({ time, kind, question, channel: '1', force });
    await writeFile(
      gaps,
      [
        line('who is the chief constable of Kent Police?', 'kent'),
        line('Who is the Chief Constable of Kent Police', 'kent', 'abstained', '2025-01-02T10:00:00.000Z'),
        line('is durham police in special measures?', 'durham', 'unhelpful'),
        '{"torn',
      ].join('\n'),
    );
    const text = await kb(dir, ['gaps']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^3 gaps in .*gaps\.jsonl: 2 questions not answered, 1 answers marked unhelpful\./,
    );
    expect(text.stdout).toMatch(
      /By force:\n {5}2 {2}Kent Police {2}\(2 unanswered, 0 unhelpful; latest 2025-01-02\)/,
    );
    expect(text.stdout).toContain('Durham Constabulary');
    const json = JSON.parse((await kb(dir, ['gaps', '--json'])).stdout);
    expect(json).toMatchObject({ total: 3, abstained: 2, unhelpful: 1 });
    expect(json.byForce[0]).toMatchObject({ key: 'kent', count: 2 });
    const elsewhere = await kb(dir, ['gaps'], { GAPS_PATH: path.join(dir, 'none.jsonl') });
    expect(elsewhere.stdout).toMatch(/^No gaps recorded in .*none\.jsonl/);
  });
});
