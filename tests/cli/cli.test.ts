import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');

/** Runs a CLI script the way `npm run` does, with optional stdin; never throws on a non-zero exit. */
async function cli(
  script: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
) {
  const child = run(TSX, [`src/cli/${script}.ts`, ...args], {
    env: { ...process.env, ...opts.env },
    maxBuffer: 10 * 1024 * 1024,
  });
  if (opts.input !== undefined) {
    child.child.stdin?.end(opts.input);
  } else child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run ask', () => {
  it('prints the status of a force with numbered sentences and sources', async () => {
    const { code, stdout } = await cli('ask', ['/status west-midlands']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^West Midlands Police is in Engage \(“special measures”\), as reported on 2023-11-24\./,
    );
    expect(stdout).toMatch(/\n\[1\] /);
    expect(stdout).toMatch(/Sources:\n {2}\[1.*\] .* — Sky News, 2023-11-24/);
  });

  it('says plainly when the knowledge base does not cover a question, and what it can answer', async () => {
    const { stdout } = await cli('ask', ["what's the weather in birmingham tomorrow?"]);
    expect(stdout).toMatch(/does not answer that/);
    expect(stdout).toMatch(/\/status <force>/);
    expect(stdout).toMatch(/\/forces/);
  });

  it('prints one JSON object with --json', async () => {
    const { stdout } = await cli('ask', ['--json', 'why was the met put into special measures?']);
    const a = JSON.parse(stdout);
    expect(a).toMatchObject({ intent: 'ask', force: 'metropolitan', answered: true });
    expect(a.citations[0]).toHaveProperty('articleId');
  });

  it('writes exactly one JSON line per input line with --jsonl, empty lines included', async () => {
    const input = '/status wiltshire\n\nwho is Craig Guildford?\n???\n';
    const { stdout } = await cli('ask', ['--jsonl'], { input });
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.query, l.answered])).toEqual([
      ['/status wiltshire', true],
      ['', false],
      ['who is Craig Guildford?', true],
      ['???', false],
    ]);
  });

  it('rejects an unknown option with the usage', async () => {
    const { code, stderr } = await cli('ask', ['--yaml', 'x']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option --yaml/);
  });
});

describe('npm run kb', () => {
  it('check counts the bundled knowledge and exits 0', async () => {
    const { code, stdout } = await cli('kb', ['check', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, articles: 2, errors: 0 });
  });

  it('check exits 1 and names every broken file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kb-cli-'));
    await mkdir(path.join(dir, 'articles'));
    await copyFile(path.join(KNOWLEDGE_DIR, 'forces.json'), path.join(dir, 'forces.json'));
    await writeFile(path.join(dir, 'articles', 'empty.md'), '');
    await writeFile(
      path.join(dir, 'articles', 'no-date.md'),
      '---\nid: no-date\ntitle: T\npublisher: P\n---\nText.\n',
    );
    const { code, stdout } = await cli('kb', ['check'], { env: { KNOWLEDGE_DIR: dir } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/error articles\/empty\.md: the file is empty/);
    expect(stdout).toMatch(/error articles\/no-date\.md \(published\)/);
    expect(stdout).toMatch(/2 error\(s\)/);
  });

  it('show lists passages with annotations and the furniture left out', async () => {
    const { stdout } = await cli('kb', ['show', 'sky-news-2023-11-24-west-midlands-special-measures']);
    expect(stdout).toMatch(/\[response\] \{west-midlands\} · Craig Guildford \(force\)/);
    expect(stdout).toMatch(/Left out as page furniture:\n.*Be the first to get Breaking News/);
  });

  it('segment prints the sentences of stdin as a JSON array', async () => {
    const { stdout } = await cli('kb', ['segment'], {
      input: 'Mr. Smith met Dr. Jones at 5 p.m. on Friday. They talked about the U.K. economy.',
    });
    expect(JSON.parse(stdout)).toEqual([
      'Mr. Smith met Dr. Jones at 5 p.m. on Friday.',
      'They talked about the U.K. economy.',
    ]);
  });

  it('segment reads blank lines as paragraph breaks and an errant line break as a space', async () => {
    const { stdout } = await cli('kb', ['segment'], {
      input: 'It was a cold \nnight in the city.\n\nThe force said it was sorry.\n',
    });
    expect(JSON.parse(stdout)).toEqual(['It was a cold night in the city.', 'The force said it was sorry.']);
  });
});
