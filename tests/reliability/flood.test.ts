/**
 * Abuse: a flood of channel messages, driven straight at the message handler (no gateway), must be
 * answered within the per-person and per-channel limits and must not grow the bot's memory without bound.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Message } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import { AuditLog } from '../../src/discord/audit.js';
import type { BotContext } from '../../src/discord/commands.js';
import { type EventDeps, handleMessage } from '../../src/discord/events.js';
import { FeedbackStore } from '../../src/discord/feedback.js';
import { PendingAdds } from '../../src/discord/kb-add-url.js';
import { RateLimiter } from '../../src/discord/limits.js';
import { ConversationStore } from '../../src/discord/router.js';
import { createGapStore } from '../../src/ingest/gaps.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const BOT_ID = '900000000000000001';
let dir: string;
let holder: KnowledgeHolder;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pib-flood-'));
  await cp(KNOWLEDGE_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  holder = await KnowledgeHolder.open(dir, { cache: false });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Sent {
  channelId: string;
  allowedMentions: unknown;
  text: string;
}

/** Just enough of a discord.js Message for `handleMessage`. */
function fakeMessage(
  n: number,
  o: { author: string; channel: string; content: string; bot?: boolean; webhook?: boolean },
  sent: Sent[],
): Message {
  const channel = {
    id: o.channel,
    isThread: () => false,
    parentId: null,
    messages: { cache: new Map() },
  };
  const mentionsBot = o.content.includes(`<@${BOT_ID}>`);
  return {
    id: String(800000000000000000n + BigInt(n)),
    content: o.content,
    author: { id: o.author, bot: o.bot ?? false },
    webhookId: o.webhook ? '700000000000000001' : null,
    system: false,
    channelId: o.channel,
    channel,
    guildId: '900000000000000002',
    guild: null,
    inGuild: () => true,
    client: { user: { id: BOT_ID } },
    mentions: { users: { has: (id: string) => mentionsBot && id === BOT_ID } },
    reference: null,
    createdTimestamp: Date.now(),
    async reply(body: { allowedMentions?: unknown; embeds?: { description?: string }[] }) {
      sent.push({
        channelId: o.channel,
        allowedMentions: body.allowedMentions,
        text: JSON.stringify(body),
      });
      return { id: String(810000000000000000n + BigInt(sent.length)) };
    },
    async startThread() {
      throw new Error('not expected: no channel is busy');
    },
  } as unknown as Message;
}

function deps(limiter: RateLimiter, conversations: ConversationStore, feedback: FeedbackStore): EventDeps {
  const ctx: BotContext = {
    config: { moderatorRoleIds: [], apiBase: null, knowledgeDir: dir },
    holder,
    audit: new AuditLog(path.join(dir, 'audit.log.jsonl')),
    logger: pino({ level: 'silent' }),
    limiter,
    attachmentHosts: [],
    gaps: createGapStore(path.join(dir, 'gaps.jsonl'), { maxEntries: 1000 }),
    feedback,
    pendingAdds: new PendingAdds(),
    fetchOptions: {},
  };
  return {
    ctx,
    commands: new Map(),
    askChannelIds: new Set(),
    conversations,
    busy: { messages: 1_000_000, windowMs: 60_000 },
  };
}

const QUESTIONS = [
  'is west midlands police in special measures?',
  'what did inspectors find about wiltshire?',
  'who is the chief constable of the met?',
  '@everyone what is engage?',
  'x'.repeat(3000),
];

describe('a flood of messages', () => {
  it('5,000 mentions from 1,000 users in 200 channels: limits hold, one note each, bounded memory', async () => {
    const USERS = 1000;
    const CHANNELS = 200;
    const MESSAGES = 5000;
    const limiter = new RateLimiter({
      max: 5,
      windowMs: 60_000,
      channelMax: 20,
      maxUsers: 400,
      maxChannels: 150,
    });
    const conversations = new ConversationStore({ max: 500 });
    const feedback = new FeedbackStore(300);
    const d = deps(limiter, conversations, feedback);
    const sent: Sent[] = [];
    const heapBefore = process.memoryUsage().heapUsed;
    for (let n = 0; n < MESSAGES; n++) {
      // Channels in order (25 messages each), users spread over them.
      const channel = String(600000000000000000n + BigInt(Math.floor(n / (MESSAGES / CHANNELS))));
      const author = String(500000000000000000n + BigInt((n * 7) % USERS));
      await handleMessage(
        fakeMessage(n, { author, channel, content: `<@${BOT_ID}> ${QUESTIONS[n % QUESTIONS.length]}` }, sent),
        d,
      );
      expect(limiter.sizes.users).toBeLessThanOrEqual(400);
      expect(limiter.sizes.channels).toBeLessThanOrEqual(150);
    }
    await d.ctx.gaps.flush();
    // Every channel: 20 answers (a mention always gets a reply), then one note, then silence.
    const perChannel = new Map<string, Sent[]>();
    for (const s of sent) perChannel.set(s.channelId, [...(perChannel.get(s.channelId) ?? []), s]);
    expect(perChannel.size).toBe(CHANNELS);
    for (const list of perChannel.values()) {
      expect(list).toHaveLength(21);
      expect(list.filter((s) => /This channel is asking a lot/.test(s.text))).toHaveLength(1);
      expect(list.at(-1)?.text).toMatch(/This channel is asking a lot/);
    }
    expect(sent.every((s) => /Sorry — something went wrong/.test(s.text) === false)).toBe(true);
    expect(conversations.size).toBeLessThanOrEqual(500);
    expect(feedback.size).toBeLessThanOrEqual(300);
    // Not a precise measure (the GC runs when it likes), but a leak of 5,000 answers would show.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('the limiter alone: 100,000 questions from 50,000 users in 20,000 channels stay within its bounds', () => {
    let now = 0;
    const limiter = new RateLimiter({
      max: 5,
      windowMs: 60_000,
      channelMax: 20,
      maxUsers: 10_000,
      maxChannels: 10_000,
      now: () => now,
    });
    let allowed = 0;
    for (let i = 0; i < 100_000; i++) {
      now += 1;
      if (limiter.take(`u${(i * 7919) % 50_000}`, `c${i % 20_000}`).allowed) allowed++;
    }
    expect(limiter.sizes).toEqual({ users: 10_000, channels: 10_000 });
    expect(allowed).toBeGreaterThan(0);
  });

  it('never answers itself, other bots or webhooks, however they are addressed', async () => {
    const limiter = new RateLimiter({ max: 100, windowMs: 60_000, channelMax: 100 });
    const d = deps(limiter, new ConversationStore(), new FeedbackStore());
    d.askChannelIds = new Set(['600000000000000001']);
    const sent: Sent[] = [];
    const senders = [
      { author: BOT_ID },
      { author: '500000000000000777', bot: true },
      { author: '500000000000000778', webhook: true },
      { author: '500000000000000779', bot: true, webhook: true },
    ];
    let n = 0;
    for (const s of senders)
      for (const content of [
        `<@${BOT_ID}> is west midlands police in special measures?`,
        'is west midlands police in special measures?',
        '/status west-midlands',
      ])
        await handleMessage(fakeMessage(n++, { ...s, channel: '600000000000000001', content }, sent), d);
    expect(sent).toEqual([]);
    expect(limiter.sizes).toEqual({ users: 0, channels: 0 });
  });
});
