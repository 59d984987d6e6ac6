/**
 * Any question is safe through the Discord handlers: arbitrary strings sent to the real bot (real discord.js
 * client, our handlers) through the fake Discord, as `/ask question:`, as a mention, and as a message in a
 * listed channel. Each gets a valid reply in time (or, in the listed channel, possibly silence), nothing
 * throws, and everything the bot sends carries `allowed_mentions: { parse: [] }` and passes the fake's
 * validation of Discord's limits.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import type { BotConfig } from '../../src/config.js';
import { type Bot, createBot } from '../../src/discord/client.js';
import { createLogger } from '../../src/discord/logger.js';
import { type FakeDiscord, type SentMessage, startFakeDiscord } from '../support/fake-discord.js';

/** Runs per mode (ask, mention, listed channel); `FUZZ_RUNS=1000` for a longer campaign. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
const GUILD = '210000000000000001';
const GENERAL = '210000000000000002';
const ASK = '210000000000000003';
const USER = '210000000000000020';
const TOKEN = 'fuzz.bot.token-never-logged';
const KNOWLEDGE = path.resolve(import.meta.dirname, '../../knowledge');
const APOLOGY = /something went wrong on my side/;
const TIME_BOUND_MS = 3000;

let fake: FakeDiscord;
let bot: Bot;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-fuzz-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    defaultTimeoutMs: TIME_BOUND_MS,
    guilds: [
      {
        id: GUILD,
        channels: [
          { id: GENERAL, name: 'general' },
          { id: ASK, name: 'ask-the-bot' },
        ],
        members: [{ id: USER, username: 'fuzzer' }],
      },
    ],
    defaultUser: { id: USER, username: 'fuzzer' },
  });
  const config: BotConfig = {
    token: TOKEN,
    clientId: fake.applicationId,
    guildId: GUILD,
    askChannelIds: [ASK],
    moderatorRoleIds: [],
    knowledgeDir: dir,
    auditLogPath: path.join(dir, 'audit.log.jsonl'),
    gapsPath: path.join(dir, 'gaps.jsonl'),
    ingestAllowAddresses: [],
    apiBase: fake.apiBase,
    logLevel: 'info',
  };
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  bot = await createBot({
    config,
    holder: await KnowledgeHolder.open(dir, { cache: false }),
    logger: createLogger('info', sink),
    rateLimit: { max: 1_000_000, windowMs: 60_000, channelMax: 1_000_000 },
    busy: { messages: 1_000_000, windowMs: 60_000 },
  });
  await bot.start();
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

// ───────────── what a hostile or careless user might type ─────────────

const ID = '123456789012345678';
const FRAGMENTS = [
  '@everyone',
  '@here',
  `<@&${ID}>`,
  `<@${ID}>`,
  `<@!${ID}>`,
  `<#${ID}>`,
  `<a:party:${ID}>`,
  '```js\nconsole.log("x")\n```',
  '```',
  '`code`',
  '**bold**',
  '__under__',
  '~~strike~~',
  '||spoiler||',
  '> quote',
  '# heading',
  '-# subtext',
  '[click](https://evil.example/phish)',
  'https://example.com/path?q=special+measures#frag',
  'http://127.0.0.1:8080/admin',
  'is west midlands police in special measures?',
  'what did wiltshire police say?',
  '/status wmp',
  '/findings the met',
  '/kb remove article:../../etc/passwd',
  '\\',
  '*',
  '_',
  '\u200b\u200c\u200d\u2060\ufeff',
  '\u0000\u0001\u0007\u0008\u001b[31m\u007f',
  '\u0085\u2028\u2029\u202e\u2066',
  '\r\n\t\v\f',
  '\ud800',
  'x\udfff',
  '𝕎𝕚𝕝𝕥𝕤𝕙𝕚𝕣𝕖',
  '🚓👮🏽‍♀️🇬🇧',
  'Z̸̢̛a̷l̶g̵o̴',
  'ﷺ',
  '𒐫',
];

/** One code point from each Unicode plane 0..16 (private use and unassigned included). */
const planeChar = fc
  .tuple(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 0xffff }))
  .map(([plane, n]) => {
    const cp = plane * 0x10000 + n;
    return cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
  });

/** A string of exactly 10,000 code points built from a repeated unit. */
const tenThousand = fc
  .oneof(
    fc.constantFrom('a', 'special measures ', '🚓', '\u200b', '@everyone ', '`', '<@&123456789012345678>'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  )
  .map((unit) => {
    const cps = Array.from(unit);
    return Array.from({ length: 10_000 }, (_, i) => cps[i % cps.length]).join('');
  });

const question = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 2, arbitrary: fc.array(planeChar, { minLength: 1, maxLength: 60 }).map((a) => a.join('')) },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 12 }), planeChar), {
        minLength: 1,
        maxLength: 14,
      })
      .chain((parts) => fc.constantFrom(' ', '', '\n').map((sep) => parts.join(sep))),
  },
  { weight: 1, arbitrary: tenThousand },
);

// ───────────── checks ─────────────

function textOf(m: SentMessage['body']): string {
  return JSON.stringify([m.content, m.embeds]);
}

/** What every run must leave true: nothing rejected, nothing pinging, nothing logged as an error. */
function expectHealthy(): void {
  expect(
    fake.failedRequests.map((r) => `${r.method} ${r.path} ${r.status} ${JSON.stringify(r.response)}`),
  ).toEqual([]);
  expect(fake.internalErrors).toEqual([]);
  for (const s of fake.sentMessages) {
    expect(s.body.allowed_mentions, `${s.via} ${s.messageId}`).toEqual({ parse: [] });
    expect(textOf(s.body)).not.toMatch(APOLOGY);
  }
  const errors = logs.filter((l) => /"level":(?:50|60)/.test(l));
  expect(errors).toEqual([]);
}

/** Always tried first, whatever the seed: the list, each at least once. */
const EXAMPLES: [string][] = [
  ['@everyone @here <@&123456789012345678> <@123456789012345678> is the met in special measures?'],
  ['```\n/status west-midlands\n```'],
  [`${'<@&123456789012345678> @everyone '.repeat(400)}`.slice(0, 10_000)],
  [
    Array.from({ length: 10_000 }, (_, i) => String.fromCodePoint(0x10000 * (i % 17) + 0x41 + (i % 50))).join(
      '',
    ),
  ],
  ['\u200b\u200d\u2060\ufeff\u0000\u0007\u001b[31m'],
  [''],
  ['https://example.com/?q=special+measures [x](https://evil.example) **bold** ||spoiler||'],
];

const counts = { ask: 0, mention: 0, listed: 0, listedAnswered: 0 };

describe('any question is safe through Discord', () => {
  it(`/ask question: answers every input within ${TIME_BOUND_MS} ms (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(question, async (q) => {
        counts.ask++;
        const h = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question: q } });
        const res = await h.waitForResponse();
        expect(res.type).toBe(4);
        expect(res.latencyMs).toBeLessThan(TIME_BOUND_MS);
        expect(res.message?.embeds?.length ?? 0).toBeGreaterThan(0);
        expectHealthy();
      }),
      { numRuns: RUNS, examples: EXAMPLES },
    );
  }, 60_000);

  it(`a mention gets a reply to every input within ${TIME_BOUND_MS} ms (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(question, async (q) => {
        counts.mention++;
        const started = Date.now();
        const sent = await fake.sendMessage({ channelId: GENERAL, content: q, mentionsBot: true });
        const reply = await fake.waitForSentMessage(
          (m) => m.body.message_reference?.message_id === sent.message.id,
        );
        expect(Date.now() - started).toBeLessThan(TIME_BOUND_MS);
        expect(reply.channelId).toBe(GENERAL);
        expect(reply.body.embeds?.length ?? 0).toBeGreaterThan(0);
        expectHealthy();
      }),
      { numRuns: RUNS, examples: EXAMPLES },
    );
  }, 60_000);

  it(`in a listed channel every input gets one reply or silence (${RUNS} runs)`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(question, async (q) => {
        counts.listed++;
        const sent = await fake.sendMessage({ channelId: ASK, content: q });
        // A mention right after it: replies in one channel go out in order, so once the sentinel's
        // reply is in, any reply to `q` is too.
        const sentinel = await fake.sendMessage({
          channelId: ASK,
          content: `is west midlands police in special measures? ${n++}`,
          mentionsBot: true,
        });
        await fake.waitForSentMessage((m) => m.body.message_reference?.message_id === sentinel.message.id);
        await new Promise((r) => setTimeout(r, 10));
        const replies = fake.sentMessages.filter(
          (m) => m.body.message_reference?.message_id === sent.message.id,
        );
        expect(replies.length).toBeLessThanOrEqual(1);
        if (replies.length) counts.listedAnswered++;
        expectHealthy();
      }),
      { numRuns: RUNS, examples: EXAMPLES },
    );
    console.info(`fuzzed through Discord: ${JSON.stringify(counts)}`);
  }, 60_000);
});
