/**
 * Bad knowledge files, all in one folder next to good ones: each gets a clear error (or warning) naming the
 * file; the valid articles are still answered from; `kb check` reports them all at once and exits 1; `ask`
 * answers and warns; a running holder keeps its last good index while they are there.
 *
 * Duplicate ids cannot happen: an article's id must equal its file name (kebab-case, so lower-case ASCII
 * only), and one folder cannot hold two files of the same name. The attempts — a second file claiming the
 * same id, a file name differing only in case — are refused as "id does not match the file name"; the
 * loader's duplicate check stays as a second line of defence.
 */
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import { loadKnowledgeFolder } from '../../src/knowledge/load.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');
const today = new Date().toISOString().slice(0, 10);
const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;

const article = (id: string, extra = '', body = 'Surrey Police was put into special measures.') =>
  `---\nid: ${id}\ntitle: T\npublisher: P\npublished: 2024-03-01\n${extra}---\n${body}\n`;

/** Every kind of broken file from the issue, by file name, with what its error must say. */
const BROKEN: Record<string, { bytes: Uint8Array | string; message: RegExp; field?: string }> = {
  'empty.md': { bytes: '', message: /the file is empty/ },
  'binary.md': {
    bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    message: /not valid UTF-8|binary/,
  },
  'nul-bytes.md': { bytes: `${article('nul-bytes')}\u0000\u0001\u0002`, message: /NUL bytes/ },
  'invalid-utf8.md': {
    bytes: new Uint8Array([...new TextEncoder().encode(article('invalid-utf8')), 0xc3, 0x28, 0xff]),
    message: /not valid UTF-8/,
  },
  'no-front-matter.md': {
    bytes: 'Surrey Police was put into special measures.\n',
    message: /missing front matter/,
  },
  'unclosed-front-matter.md': {
    bytes: '---\nid: unclosed-front-matter\ntitle: T\nSurrey Police was put into special measures.\n',
    message: /missing front matter/,
  },
  'bad-yaml.md': { bytes: '---\nid: [unclosed\n---\nText.\n', message: /not valid YAML/ },
  'list-front-matter.md': { bytes: '---\n- a\n- b\n---\nText.\n', message: /field: value/ },
  'missing-title.md': {
    bytes: '---\nid: missing-title\npublisher: P\npublished: 2024-03-01\n---\nText.\n',
    message: /title is required/,
    field: 'title',
  },
  'typo-field.md': {
    bytes: article('typo-field').replace('published:', 'publised:'),
    message: /published must be a date.*the file has "publised": a typo\?/,
    field: 'published',
  },
  'wrong-id.md': { bytes: article('another-id'), message: /does not match the file name/, field: 'id' },
  // Two tries at a duplicate id: both refused as not matching their file name.
  'second-claim.md': { bytes: article('good-one'), message: /does not match the file name/, field: 'id' },
  'Good-One.md': { bytes: article('good-one'), message: /does not match the file name/, field: 'id' },
  'future.md': {
    bytes: article('future').replace('2024-03-01', nextYear),
    message: /in the future/,
    field: 'published',
  },
  'not-a-date.md': {
    bytes: article('not-a-date').replace('2024-03-01', 'last Tuesday'),
    message: /YYYY-MM-DD/,
    field: 'published',
  },
  'impossible-date.md': {
    bytes: article('impossible-date').replace('2024-03-01', '2024-02-30'),
    message: /real calendar date/,
    field: 'published',
  },
  'five-megabytes.md': {
    bytes: article('five-megabytes', '', 'Surrey Police was praised. '.repeat(200_000)),
    message: /5\.4 MB, over the 1 MB limit/,
  },
  'passwd.md': {
    bytes: article('../../etc/passwd'),
    message: /kebab-case/,
    field: 'id',
  },
  'no-body.md': { bytes: article('no-body', '', '\n\n'), message: /no text after the front matter/ },
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pib-bad-files-'));
  await mkdir(path.join(dir, 'articles'));
  await copyFile(path.join(KNOWLEDGE_DIR, 'forces.json'), path.join(dir, 'forces.json'));
  for (const [name, { bytes }] of Object.entries(BROKEN))
    await writeFile(path.join(dir, 'articles', name), bytes);
  await writeFile(path.join(dir, 'articles', 'good-one.md'), article('good-one'));
  // A byte-order mark and Windows line endings are fine.
  await writeFile(
    path.join(dir, 'articles', 'bom-crlf.md'),
    `\uFEFF${article('bom-crlf').replace(/\n/g, '\r\n')}`,
  );
  await writeFile(path.join(dir, 'articles', 'notes.txt'), 'not an article');
  // Fields we do not know are set aside with a warning; the article is kept.
  await writeFile(
    path.join(dir, 'articles', 'extra-fields.md'),
    article('extra-fields', 'section: Crime\nauthr: A. Writer\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a folder full of broken files', () => {
  it('loads the valid articles and names every broken file with its field and a fix', async () => {
    const loaded = await loadKnowledgeFolder(dir);
    expect(loaded.articles.map((a) => a.id).sort()).toEqual(['bom-crlf', 'extra-fields', 'good-one']);
    const bom = loaded.articles.find((a) => a.id === 'bom-crlf');
    expect(bom?.paragraphs).toEqual(['Surrey Police was put into special measures.']);
    for (const [name, want] of Object.entries(BROKEN)) {
      const issues = loaded.issues.filter((i) => i.file === `articles/${name}`);
      expect(issues.length, name).toBeGreaterThan(0);
      expect(issues[0]?.severity, name).toBe('error');
      expect(issues.map((i) => i.message).join(' | '), name).toMatch(want.message);
      if (want.field)
        expect(
          issues.map((i) => i.field),
          name,
        ).toContain(want.field);
    }
    expect(loaded.issues.find((i) => i.file === 'articles/notes.txt')).toMatchObject({ severity: 'warning' });
    const extra = loaded.issues.filter((i) => i.file === 'articles/extra-fields.md');
    expect(extra.map((i) => [i.severity, i.field])).toEqual([
      ['warning', 'section'],
      ['warning', 'authr'],
    ]);
    expect(extra[1]?.message).toMatch(/unknown field "authr" is ignored \(did you mean "author"\?\)/);
    // Nothing else: one entry per problem, every one naming a file in the folder.
    const files = new Set(loaded.issues.map((i) => i.file));
    expect(files.size).toBe(Object.keys(BROKEN).length + 2);
  });

  it('kb check reports every one at once and exits 1; ask still answers from the valid ones and warns', async () => {
    const env = { ...process.env, KNOWLEDGE_DIR: dir, INDEX_CACHE: 'off' };
    const check = await run(TSX, ['src/cli/kb.ts', 'check'], { env }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(check.code).toBe(1);
    for (const name of Object.keys(BROKEN)) expect(check.stdout).toContain(`error articles/${name}`);
    // One line per problem (a file may have more than one), all in one run.
    const errors = Number(/— (\d+) error\(s\), 3 warning\(s\)/.exec(check.stdout)?.[1]);
    expect(errors).toBeGreaterThanOrEqual(Object.keys(BROKEN).length);

    const ask = await run(TSX, ['src/cli/ask.ts', '--json', '/status surrey'], { env });
    expect(JSON.parse(ask.stdout)).toMatchObject({ force: 'surrey', answered: true });
    expect(ask.stderr).toContain('error articles/five-megabytes.md');
    expect(ask.stderr).toMatch(/answering from the valid articles only/);
  }, 30_000);

  it('a holder opened on it answers from the valid articles, keeps the issues, and refresh keeps it', async () => {
    const copy = await mkdtemp(path.join(tmpdir(), 'pib-bad-holder-'));
    try {
      await cp(dir, copy, { recursive: true });
      const holder = await KnowledgeHolder.open(copy, { cache: false });
      expect(holder.summary().articles).toBe(3);
      expect(holder.engine.answer('/status surrey').answered).toBe(true);
      expect(new Set(holder.issues.filter((i) => i.severity === 'error').map((i) => i.file)).size).toBe(
        Object.keys(BROKEN).length,
      );
      // A refresh with the same broken files refuses to swap: the running index stays.
      const before = holder.engine;
      const r = await holder.refresh('mod');
      expect(r.ok).toBe(false);
      expect(holder.engine).toBe(before);
      expect(new Set(!r.ok ? r.errors.map((e) => e.file) : []).size).toBe(Object.keys(BROKEN).length);
      // Removing the broken files one by one by id is how a moderator cleans up; ids that are paths are refused.
      expect(await holder.exists('../../etc/passwd')).toBe(false);
      await expect(holder.remove('../../etc/passwd')).rejects.toThrow();
      expect((await readdir(path.join(copy, 'articles'))).length).toBe(Object.keys(BROKEN).length + 4);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
