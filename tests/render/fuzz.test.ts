import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import type { Answer, Citation } from '../../src/answer/types.js';
import { renderAnswer } from '../../src/render/discord.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';
import { Validator, validateMessageBody } from '../support/fake-discord-validate.js';

const { engine } = await openKnowledge(KNOWLEDGE_DIR);

/** The checks real Discord makes on a message body (shared with the fake server). */
function discordErrors(msg: ReturnType<typeof renderAnswer>): string[] {
  const v = new Validator();
  const { allowedMentions, ...rest } = msg;
  validateMessageBody(v, { ...rest, allowed_mentions: allowedMentions }, []);
  return v.describe();
}

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 3000 }),
  fc.constantFrom(
    '@everyone',
    '@here',
    '<@&123456789012345678>',
    '<@123456789012345678>',
    '[x](https://evil.example)',
    '```',
    '||',
    '# heading',
    '> quote',
  ),
);

const citation = (n: number, text: string): Citation => ({
  n,
  text,
  articleId: `a-${n % 7}`,
  title: `Title ${n} ${text.slice(0, 300)}`,
  publisher: 'P @everyone',
  published: '2024-01-01',
  url: n % 2 ? `https://example.com/${n}` : null,
  passageId: `a#${n}`,
  speaker: n % 3 ? `Speaker <@${n}>` : null,
  speakerRole: 'force',
  topic: 'response',
  source: n % 7,
});

const bigAnswer = fc
  .record({
    texts: fc.array(hostile, { maxLength: 60 }),
    rows: fc.nat({ max: 120 }),
    intent: fc.constantFrom('status', 'findings', 'responses', 'ask', 'forces', 'sources'),
  })
  .map(({ texts, rows, intent }): Answer => {
    const citations = texts.map((t, i) => citation(i + 1, t || 'x'));
    return {
      query: texts[0] ?? '',
      intent: intent as Answer['intent'],
      force: 'kent',
      forceName: 'Kent Police @everyone',
      answered: true,
      headline: (texts[1] ?? 'h').slice(0, 5000),
      status:
        intent === 'status'
          ? {
              stage: 'engage',
              since: '2020-01-01',
              asOf: '2024-01-01',
              note: texts[2] ?? null,
              evidence: citations.slice(0, 3).map((c) => c.n),
              history: citations.slice(3).map((c) => ({
                stage: 'scan' as const,
                date: '2019-01-01',
                articleId: c.articleId,
                citations: [c.n],
              })),
            }
          : null,
      statuses: Array.from({ length: rows }, (_, i) => ({
        force: `f${i}`,
        name: `Force ${i} ${texts[i % Math.max(texts.length, 1)] ?? ''}`.slice(0, 500),
        stage: i % 2 ? 'engage' : 'scan',
        since: '2020-01-01',
        asOf: '2024-01-01',
        note: i % 5 ? null : 'note',
        evidence: [],
      })),
      citations,
      sources: Array.from({ length: 7 }, (_, i) => ({
        articleId: `a-${i}`,
        title: `Source ${i} ${'t'.repeat(i * 300)}`,
        publisher: 'Pub',
        published: '2024-01-01',
        url: `https://example.com/${i}`,
        passages: i,
        forces: ['kent'],
      })),
      suggestions: [],
    };
  });

describe('every rendered answer is a message Discord accepts and that pings no one', () => {
  it('for any question asked of the real engine', () => {
    fc.assert(
      fc.property(hostile, (q) => {
        const msg = renderAnswer(engine.answer(q), { question: q });
        expect(msg.allowedMentions).toEqual({ parse: [] });
        expect(discordErrors(msg)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('for answers far larger than Discord allows', () => {
    fc.assert(
      fc.property(bigAnswer, hostile, (answer, q) => {
        const msg = renderAnswer(answer, { question: q });
        expect(msg.allowedMentions).toEqual({ parse: [] });
        expect(discordErrors(msg)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
