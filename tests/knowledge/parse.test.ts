import { describe, expect, it } from 'vitest';
import { MAX_ARTICLE_BYTES, parseArticleFile } from '../../src/knowledge/parse.js';

const today = '2026-11-23';
const enc = (s: string) => new TextEncoder().encode(s);
const file = 'articles/bbc-2024-01-05-kent.md';
const valid = `---
id: bbc-2024-01-05-kent
title: Kent Police leaves special measures
publisher: BBC News
published: 2024-01-05
url: https://www.bbc.co.uk/news/kent-1
---
Kent Police has been taken out of special measures.

The force said it was pleased.
`;

function errors(text: string | Uint8Array, name = file) {
  const r = parseArticleFile(name, typeof text === 'string' ? enc(text) : text, { today });
  if (r.ok) throw new Error('expected the file to be refused');
  return r.issues;
}

describe('parseArticleFile', () => {
  it('reads no-break spaces as spaces and drops zero-width characters pasted from web pages', () => {
    const pasted = valid
      .replace('special measures', 'special\u00a0measures')
      .replace('taken out', 'taken\u200bout')
      .replace('has been', 'has be\u00aden');
    const r = parseArticleFile(file, enc(pasted), { today });
    if (!r.ok) throw new Error('expected the article');
    expect(r.article.paragraphs[0]).toBe('Kent Police has been taken out of special measures.');
  });

  it('reads hard-wrapped text as whole paragraphs, and says so', () => {
    const wrapped = valid.replace(
      'Kent Police has been taken out of special measures.',
      'Kent Police has been taken out of special measures after inspectors found that\nthe force had made sustained improvements to the way it answers 999 calls.',
    );
    const r = parseArticleFile(file, enc(wrapped), { today });
    if (!r.ok) throw new Error('expected the article');
    expect(r.article.paragraphs[0]).toBe(
      'Kent Police has been taken out of special measures after inspectors found that the force had made sustained improvements to the way it answers 999 calls.',
    );
    expect(r.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^hard-wrapped text: 1 line break/),
    );
  });

  it('reads front matter and keeps each body line verbatim as a paragraph, skipping blank lines', () => {
    const r = parseArticleFile(file, enc(valid), { today });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.article).toMatchObject({
      id: 'bbc-2024-01-05-kent',
      publisher: 'BBC News',
      published: '2024-01-05',
      url: 'https://www.bbc.co.uk/news/kent-1',
    });
    expect(r.article.paragraphs).toEqual([
      'Kent Police has been taken out of special measures.',
      'The force said it was pleased.',
    ]);
  });

  it('accepts a byte-order mark and Windows line endings', () => {
    const r = parseArticleFile(file, enc(`\uFEFF${valid.replace(/\n/g, '\r\n')}`), { today });
    expect(r.ok && r.article.paragraphs).toEqual([
      'Kent Police has been taken out of special measures.',
      'The force said it was pleased.',
    ]);
  });

  it('names the missing field and how to fill it', () => {
    const [issue] = errors(valid.replace('title: Kent Police leaves special measures\n', ''));
    expect(issue).toMatchObject({ file, field: 'title', severity: 'error' });
    expect(issue?.message).toMatch(/title is required/);
  });

  it.each([
    ['not a date', 'published: last Tuesday', /YYYY-MM-DD/],
    ['an impossible date', 'published: 2024-02-30', /real calendar date/],
    ['a future date', 'published: 2027-01-01', /in the future/],
  ])('refuses %s in published', (_label, line, message) => {
    const [issue] = errors(valid.replace('published: 2024-01-05', line));
    expect(issue?.field).toBe('published');
    expect(issue?.message).toMatch(message);
  });

  it('refuses an id that does not match the file name, saying which to rename', () => {
    const [issue] = errors(valid, 'articles/other-name.md');
    expect(issue?.field).toBe('id');
    expect(issue?.message).toMatch(/rename the file to bbc-2024-01-05-kent\.md/);
  });

  it('refuses path-like and non-kebab ids', () => {
    const [issue] = errors(valid.replace('id: bbc-2024-01-05-kent', 'id: ../../etc/passwd'));
    expect(issue?.field).toBe('id');
    expect(issue?.message).toMatch(/kebab-case/);
  });

  it('keeps an article with unknown fields, warning about each and naming the field it may be a typo of', () => {
    const result = parseArticleFile(
      file,
      enc(valid.replace('url:', 'section: Kent\nautor: Jo Bloggs\nurl:')),
      {
        today,
      },
    );
    expect(result.ok).toBe(true);
    const warnings = result.ok ? result.warnings : [];
    expect(warnings.map((w) => [w.severity, w.field])).toEqual([
      ['warning', 'section'],
      ['warning', 'autor'],
    ]);
    expect(warnings[0]?.message).not.toMatch(/did you mean/);
    expect(warnings[1]?.message).toMatch(/"autor" is ignored \(did you mean "author"\?\)/);
  });

  it('reads a title with an unquoted colon line by line, with a warning to quote it', () => {
    const result = parseArticleFile(
      file,
      enc(
        valid.replace(
          'title: Kent Police leaves special measures',
          'title: Kent Police: out of special measures',
        ),
      ),
      { today },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.article.title).toBe('Kent Police: out of special measures');
    expect(result.warnings[0]?.message).toMatch(/not valid YAML.*quotes/);
  });

  it('names the misspelt key when a required field is missing', () => {
    const [issue] = errors(valid.replace('published:', 'publised:'));
    expect(issue?.field).toBe('published');
    expect(issue?.message).toMatch(/the file has "publised": a typo\?/);
  });

  it.each([['2024-01-05T09:30:00Z'], ['2024-01-05T09:30:00+01:00'], ['"2024-01-05 09:30"']])(
    'keeps the calendar day of a timestamp %s',
    (value) => {
      const result = parseArticleFile(
        file,
        enc(valid.replace('published: 2024-01-05', `published: ${value}`)),
        {
          today,
        },
      );
      expect(result.ok && result.article.published).toBe('2024-01-05');
    },
  );

  it('refuses a non-http url', () => {
    const [issue] = errors(valid.replace('https://www.bbc.co.uk/news/kent-1', 'javascript:alert(1)'));
    expect(issue?.field).toBe('url');
  });

  it.each([
    ['an empty file', enc(''), /empty/],
    [
      'a file without front matter',
      enc('Kent Police has been taken out of special measures.\n'),
      /missing front matter/,
    ],
    ['invalid YAML', enc('---\nid: [unclosed\n---\nText.\n'), /not valid YAML/],
    ['front matter that is not a mapping', enc('---\n- a\n- b\n---\nText.\n'), /field: value/],
    ['invalid UTF-8', new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0xfd]), /not valid UTF-8/],
    ['binary content', enc('---\nid: x\n---\n\u0000\u0001'), /binary/],
    ['a body with no text', enc(`${valid.split('---\n').slice(0, 2).join('---\n')}---\n\n\n`), /no text/],
    ['an oversized file', new Uint8Array(MAX_ARTICLE_BYTES + 1).fill(0x61), /limit/],
  ])('refuses %s with a clear message', (_label, bytes, message) => {
    const issues = errors(bytes);
    expect(issues[0]?.message).toMatch(message);
    expect(issues[0]?.file).toBe(file);
  });
});
