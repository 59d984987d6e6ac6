import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const { engine, loaded } = await openKnowledge(KNOWLEDGE_DIR);
const paragraphs = loaded.articles.flatMap((a) => a.paragraphs.map((p) => [a.id, p] as const));

/** Strings a hostile or careless user might send: every plane, controls, mentions, Markdown, URLs, length. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    '@everyone is the met in special measures?',
    '<@&123456789012345678> /status wmp',
    '<@123456789012345678> what did they say',
    '```\n/status west-midlands\n```',
    '**bold** _it_ ~~x~~ ||spoiler|| > quote',
    'https://example.com/?q=special+measures',
    '\u200b\u200d\u2060\ufeff',
    '\u0000\u0001\u0007\u001b[31m',
    '𝕎𝕚𝕝𝕥𝕤𝕙𝕚𝕣𝕖 🚓🚓',
    '/status ../../etc/passwd',
  ),
  fc.string({ maxLength: 30 }).map((s) => `${s} `.repeat(400)),
  fc
    .tuple(fc.constantFrom('/status ', '/findings ', '/responses ', '', 'is '), fc.string({ maxLength: 40 }))
    .map(([a, b]) => a + b),
);

describe('any question is safe', () => {
  it('answers or refuses every input without throwing, citing only verbatim sentences', () => {
    fc.assert(
      fc.property(nasty, (q) => {
        const a = engine.answer(q);
        expect(typeof a.answered).toBe('boolean');
        expect(['status', 'findings', 'responses', 'ask', 'forces', 'sources']).toContain(a.intent);
        if (!a.answered) expect(a.suggestions.length).toBeGreaterThan(0);
        for (const c of a.citations)
          expect(paragraphs.some(([id, p]) => id === c.articleId && p.includes(c.text))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
