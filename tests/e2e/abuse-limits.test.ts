/**
 * Rate limits and self-answers end to end: the per-channel limit (one note, then silence) and the bot
 * never answering itself, other bots or webhooks — through the fake Discord with the real client.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import { loadConfig } from '../../src/config.js';
import { type Bot, createBot } from '../../src/discord/client.js';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord.js';

const GUILD = '230000000000000001';
const ASK = '230000000000000003';
const OTHER = '230000000000000004';
const KNOWLEDGE = path.resolve(import.meta.dirname, '../../knowledge');
const user = (i: number) => ({ id: `2300000000000001${String(i).padStart(2, '0')}` });

let fake: FakeDiscord | undefined;
let bot: Bot | undefined;
let dir: string | undefined;

afterEach(async () => {
  await bot?.stop();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  bot = fake = dir = undefined;
});

/** The bot configured from settings as `npm start` would read them (no rate-limit override). */
async function start(env: Record<string, string>): Promise<FakeDiscord> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-limits-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    guilds: [
      {
        id: GUILD,
        channels: [
          { id: ASK, name: 'ask' },
          { id: OTHER, name: 'other' },
        ],
      },
    ],
  });
  const config = loadConfig({
    DISCORD_TOKEN: 'limits.bot.token',
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    ASK_CHANNEL_IDS: `${ASK},${OTHER}`,
    KNOWLEDGE_DIR: dir,
    ...env,
  });
  bot = await createBot({
    config,
    holder: await KnowledgeHolder.open(dir, { cache: false }),
    logger: pino({ level: 'silent' }),
    busy: { messages: 1000, windowMs: 60_000 },
  });
  await bot.start();
  return fake;
}

const settle = () => new Promise((r) => setTimeout(r, 150));
const botReplies = (f: FakeDiscord, channelId: string) =>
  f.sentMessages.filter((m) => m.channelId === channelId && m.via === 'channel');

describe('per-channel rate limit (CHANNEL_RATE_LIMIT)', () => {
  it('answers up to the limit from anyone, then one note for the channel, then silence; other channels go on', async () => {
    const f = await start({ CHANNEL_RATE_LIMIT: '3', USER_RATE_LIMIT: '5' });
    for (let i = 0; i < 6; i++)
      await f.sendMessage({
        channelId: ASK,
        author: user(i),
        content: 'is west midlands police in special measures?',
      });
    await f.waitForChannelMessage(ASK, (m) => /This channel is asking a lot/.test(JSON.stringify(m.body)));
    await settle();
    const replies = botReplies(f, ASK);
    expect(replies).toHaveLength(4);
    expect(replies.filter((m) => /This channel is asking a lot/.test(JSON.stringify(m.body)))).toHaveLength(
      1,
    );
    // A slash command in the full channel gets an ephemeral note (an interaction must be answered).
    const h = await f.sendInteraction({ type: 'command', name: 'forces', channelId: ASK, user: user(9) });
    const res = await h.waitForResponse();
    expect(res.ephemeral).toBe(true);
    expect(JSON.stringify(res.message)).toMatch(/This channel is asking a lot/);
    // Another channel is not affected.
    await f.sendMessage({
      channelId: OTHER,
      author: user(7),
      content: 'is wiltshire police in special measures?',
    });
    const other = await f.waitForChannelMessage(OTHER);
    expect(JSON.stringify(other.body)).toContain('Wiltshire');
    for (const s of f.sentMessages) expect(s.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('who the bot answers', () => {
  it('never itself, other bots or webhooks, even mentioned with a question in a listed channel', async () => {
    const f = await start({});
    const q = 'is west midlands police in special measures?';
    await f.sendMessage({
      channelId: ASK,
      content: q,
      author: { id: f.botUser.id, bot: true },
      mentionsBot: true,
    });
    await f.sendMessage({
      channelId: ASK,
      content: q,
      author: { id: '230000000000000050', bot: true },
      mentionsBot: true,
    });
    await f.sendMessage({ channelId: ASK, content: q, webhookId: '230000000000000060', mentionsBot: true });
    await f.sendMessage({
      channelId: ASK,
      content: `/status west-midlands`,
      webhookId: '230000000000000060',
    });
    await settle();
    expect(f.sentMessages).toEqual([]);
    // A person asking the same is answered: the silence above is not a broken bot.
    await f.sendMessage({ channelId: ASK, content: q, author: user(1) });
    expect(JSON.stringify((await f.waitForChannelMessage(ASK)).body)).toContain('West Midlands');
  });
});
