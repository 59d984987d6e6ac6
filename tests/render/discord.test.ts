import type { APIEmbed } from 'discord-api-types/v10';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Answer, Citation, ForceStatusRow, Source } from '../../src/answer/types.js';
import {
  COLOURS,
  cutText,
  type DiscordMessage,
  escapeMarkdown,
  fitBlocks,
  LIMITS,
  renderAnswer,
  renderChoices,
  renderError,
  renderReport,
} from '../../src/render/discord.js';

function source(i: number, url: string | null = `https://news.example/${i}`): Source {
  return {
    articleId: `pub-2024-01-0${i % 9}-a${i}`,
    title: `Article ${i}`,
    publisher: 'Example News',
    published: '2024-01-01',
    url,
  };
}

function citation(
  n: number,
  text: string,
  src = 0,
  url: string | null = `https://news.example/${src}`,
): Citation {
  return {
    n,
    text,
    articleId: `a${src}`,
    title: `Article ${src}`,
    publisher: 'Example News',
    published: '2024-01-01',
    url,
    passageId: `a${src}#${n}.0`,
    speaker: n % 2 ? 'Wendy Williams' : null,
    speakerRole: n % 2 ? 'inspectorate' : null,
    topic: 'finding',
    source: src,
  };
}

function answer(over: Partial<Answer> = {}): Answer {
  return {
    query: 'q',
    intent: 'ask',
    force: 'west-midlands',
    forceName: 'West Midlands Police',
    answered: true,
    headline: 'What the sources say about West Midlands Police:',
    status: null,
    statuses: null,
    citations: [citation(1, 'West Midlands Police will be put into special measures, inspectors have said.')],
    sources: [source(0)],
    suggestions: [],
    ...over,
  };
}

function embedLength(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Every Discord limit on a message. */
function expectWithinLimits(m: DiscordMessage): void {
  expect(m.allowedMentions).toEqual({ parse: [] });
  expect((m.content ?? '').length).toBeLessThanOrEqual(LIMITS.content);
  expect(m.embeds.length).toBeLessThanOrEqual(LIMITS.embeds);
  let total = 0;
  for (const e of m.embeds) {
    expect(e.title?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(e.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(e.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedFields);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
    total += embedLength(e);
  }
  expect(total).toBeLessThanOrEqual(LIMITS.embedTotal);
  expect((m.content ?? '').length + m.embeds.length).toBeGreaterThan(0);
}

describe('renderAnswer', () => {
  it('quotes sentences as block quotes with numbered citations linked to the source', () => {
    const m = renderAnswer(answer());
    expectWithinLimits(m);
    const e = m.embeds[0] as APIEmbed;
    expect(e.description).toContain(
      '> West Midlands Police will be put into special measures, inspectors have said.',
    );
    expect(e.description).toContain('[\\[1\\]](https://news.example/0) — Wendy Williams');
    expect(e.fields?.find((f) => f.name === 'Source')?.value).toBe(
      '\\[1\\] [Article 0](https://news.example/0) — Example News, 2024-01-01',
    );
  });

  it('shows an unlinked number when the source has no URL', () => {
    const m = renderAnswer(
      answer({ citations: [citation(1, 'A sentence.', 0, null)], sources: [source(0, null)] }),
    );
    expect(m.embeds[0]?.description).toContain('\n\\[1\\] — Wendy Williams');
    expect(m.embeds[0]?.description).not.toContain('](');
  });

  it('colours a status by stage and shows since / as of, history and note', () => {
    const status = (stage: 'engage' | 'scan' | 'unknown') =>
      renderAnswer(
        answer({
          intent: 'status',
          answered: stage !== 'unknown',
          status: {
            stage,
            since: '2023-11-24',
            asOf: '2024-02-01',
            note: stage === 'engage' ? 'A newer article lists forces in Engage without it [2].' : null,
            evidence: [1],
            history: [{ stage: 'engage', date: '2022-01-01', articleId: 'a0', citations: [2] }],
          },
          citations: [citation(1, 'First.'), citation(2, 'Second.')],
        }),
      ).embeds[0] as APIEmbed;
    const engage = status('engage');
    expect(engage.color).toBe(COLOURS.engage);
    expect(engage.title).toBe('West Midlands Police: Engage (special measures)');
    expect(engage.fields?.map((f) => f.name)).toEqual([
      'Stage',
      'Since',
      'As of',
      'History',
      'Note',
      'Source',
    ]);
    expect(engage.fields?.find((f) => f.name === 'Since')?.value).toBe('2023-11-24');
    expect(engage.fields?.find((f) => f.name === 'History')?.value).toContain('2022-01-01 · Engage');
    expect(status('scan').color).toBe(COLOURS.scan);
    expect(status('unknown').color).toBe(COLOURS.unknown);
  });

  it('abstains in grey with the suggestions, escaped', () => {
    const m = renderAnswer(
      answer({
        answered: false,
        citations: [],
        sources: [],
        headline: 'No.',
        suggestions: ['/status <force> — stage'],
      }),
    );
    expect(m.embeds[0]?.color).toBe(COLOURS.unknown);
    expect(m.embeds[0]?.description).toContain('• /status \\<force> — stage');
  });

  it('respects every limit with many citations of 5,000-character sentences, and says there is more', () => {
    const long = `${'The force failed victims again and again. '.repeat(120)}End.`;
    expect(long.length).toBeGreaterThan(5000);
    const citations = Array.from({ length: 60 }, (_, i) => citation(i + 1, long, i % 30));
    const sources = Array.from({ length: 30 }, (_, i) => source(i));
    const m = renderAnswer(answer({ citations, sources }), { question: 'x'.repeat(5000) });
    expectWithinLimits(m);
    const e = m.embeds[0] as APIEmbed;
    expect(e.description).toMatch(/more quotes — ask a narrower question to see more/);
    expect(e.description).toContain('…');
    expect(e.fields?.find((f) => f.name === 'Sources')?.value).toMatch(/… and \d+ more — see \/sources$/);
    expect(m.content?.length).toBeLessThanOrEqual(300);
  });

  it('respects the limits with a single sentence longer than a whole embed', () => {
    const m = renderAnswer(answer({ citations: [citation(1, 'word '.repeat(3000))] }));
    expectWithinLimits(m);
    expect(m.embeds[0]?.description).toMatch(/…\n\[\\\[1\\\]\]/);
  });

  it('lists 100 forces within the limits and points to /status for the rest', () => {
    const rows: ForceStatusRow[] = Array.from({ length: 100 }, (_, i) => ({
      force: `force-${i}`,
      name: `Force Number ${i} Constabulary`,
      stage: i % 3 === 0 ? 'engage' : 'scan',
      since: '2022-01-01',
      asOf: '2024-01-01',
      note: i % 10 === 0 ? 'a newer article (2024-05-01) lists Engage forces without it' : null,
      evidence: [i + 1],
    }));
    const citations = Array.from({ length: 100 }, (_, i) =>
      citation(i + 1, `Force Number ${i} was put into special measures.`, i % 5),
    );
    const m = renderAnswer(
      answer({
        intent: 'forces',
        force: null,
        forceName: null,
        statuses: rows,
        citations,
        sources: [0, 1, 2, 3, 4].map((i) => source(i)),
      }),
    );
    expectWithinLimits(m);
    const e = m.embeds[0] as APIEmbed;
    expect(e.description).toContain(
      '🔴 **Force Number 0 Constabulary** — Engage · since 2022-01-01, as of 2024-01-01 [\\[1\\]](https://news.example/0)',
    );
    expect(e.description).toMatch(/… and \d+ more lines — ask \/status <force>/);
  });

  it('lists 100 sources within the limits', () => {
    const sources = Array.from({ length: 100 }, (_, i) => ({
      ...source(i),
      passages: i,
      forces: ['west-midlands'],
    }));
    const m = renderAnswer(
      answer({ intent: 'sources', citations: [], sources, headline: '100 articles, newest first:' }),
    );
    expectWithinLimits(m);
    expect(m.embeds[0]?.description).toMatch(/… and \d+ more articles\.$/);
  });

  it('stays within the limits for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 3000 }), { minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 3000 }),
        fc.constantFrom('ask', 'findings', 'status', 'forces', 'sources'),
        (texts, headline, intent) => {
          const citations = texts.map((t, i) => citation(i + 1, t, i % 3));
          const m = renderAnswer(
            answer({
              intent: intent as Answer['intent'],
              headline,
              citations,
              sources: [0, 1, 2].map((i) => source(i)),
              statuses:
                intent === 'forces'
                  ? texts.map((t, i) => ({
                      force: `f${i}`,
                      name: t || 'x',
                      stage: 'engage',
                      since: null,
                      asOf: null,
                      note: t,
                      evidence: [i + 1],
                    }))
                  : null,
              status:
                intent === 'status'
                  ? { stage: 'engage', since: null, asOf: null, note: headline, evidence: [1], history: [] }
                  : null,
            }),
            { question: headline },
          );
          expectWithinLimits(m);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('mentions and Markdown', () => {
  it('never pings: every message carries allowedMentions { parse: [] }', () => {
    const text = '@everyone @here <@123456789012345678> <@&123456789012345678> look';
    for (const m of [
      renderAnswer(answer({ citations: [citation(1, text)], headline: text }), { question: text }),
      renderAnswer(answer({ answered: false, headline: text })),
      renderError('abcd1234'),
      renderReport('Report', [escapeMarkdown(text)]),
    ]) {
      expect(m.allowedMentions).toEqual({ parse: [] });
      expect(JSON.stringify(m)).not.toMatch(/[^\\]<@/);
    }
  });

  it('escapes user and article text so it shows as typed', () => {
    expect(escapeMarkdown('**bold** _it_ `code` ||spoiler|| ~~strike~~ [x](https://evil.example) \\')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\|\\|spoiler\\|\\| \\~\\~strike\\~\\~ \\[x\\](https://evil.example) \\\\',
    );
    expect(escapeMarkdown('> quoted\n# Heading\n- item\n1. first')).toBe(
      '\\> quoted\n\\# Heading\n\\- item\n\\1. first',
    );
    expect(escapeMarkdown('<@123456789012345678> <#1> <t:1:R>')).toBe(
      '\\<@123456789012345678> \\<#1> \\<t:1:R>',
    );
    expect(escapeMarkdown('Plain text, 27% to 39%: “quoted” — fine.')).toBe(
      'Plain text, 27% to 39%: “quoted” — fine.',
    );
  });

  it('echoes the question escaped, as a quote, on one line', () => {
    const m = renderAnswer(answer(), { question: 'is **WMP**\n# in special measures?' });
    expect(m.content).toBe('> is \\*\\*WMP\\*\\* # in special measures?');
  });
});

describe('cutting', () => {
  it('cutText never exceeds the limit, never splits a surrogate pair, never leaves a dangling escape', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 500 }),
        fc.integer({ min: 0, max: 400 }),
        (s, max) => {
          const out = cutText(s, max);
          expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
          if (s.length <= max) expect(out).toBe(s);
          else {
            expect(out.endsWith('…') || max <= 1).toBe(true);
            const last = out.charCodeAt(out.length - 2);
            expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
          }
        },
      ),
    );
    expect(cutText(escapeMarkdown('ab*cd'), 4)).toBe('ab…');
    expect(cutText(escapeMarkdown('ab*cd'), 5)).toBe('ab\\*…');
  });

  it('fitBlocks keeps whole blocks and ends with the hint', () => {
    const blocks = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const { text, shown } = fitBlocks(blocks, 500, (left) => `… and ${left} more`);
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text.endsWith(`… and ${50 - shown} more`)).toBe(true);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .every((l) => blocks.includes(l)),
    ).toBe(true);
  });

  it('autocomplete choices: at most 25, names and values at most 100 characters', () => {
    const choices = renderChoices(
      Array.from({ length: 60 }, (_, i) => ({
        name: `${'Long force name '.repeat(10)}${i}`,
        value: `force-${i}`,
      })),
    );
    expect(choices).toHaveLength(25);
    for (const c of choices) {
      expect(c.name.length).toBeLessThanOrEqual(100);
      expect(c.value.length).toBeLessThanOrEqual(100);
    }
    expect(renderChoices([{ name: 'x', value: 'v'.repeat(101) }])).toEqual([]);
  });
});
