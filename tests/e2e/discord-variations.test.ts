/**
 * What real Discord legitimately sends besides the happy path, end to end: the real discord.js client, our
 * handlers and commands, against the fake Discord (tests/support/fake-discord.ts) — mention forms, replies,
 * the bot's role, DMs, threads and forum posts the bot never heard of, channels where it lacks permissions,
 * edits/deletes/reactions/unknown events, guilds in an outage or joined later, odd interactions and payloads,
 * REST failures and gateway reconnects. Each test asserts what a user would notice: one reply (never a ping),
 * or deliberate silence, and nothing crashing (errors logged, the next question answered).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Events, PermissionFlagsBits } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import type { BotConfig } from '../../src/config.js';
import { type Bot, createBot, WAIT_GUILD_TIMEOUT_MS } from '../../src/discord/client.js';
import { loadCommands } from '../../src/discord/commands.js';
import { createLogger } from '../../src/discord/logger.js';
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  type FakeGuild,
  type SentMessage,
  startFakeDiscord,
} from '../support/fake-discord.js';

const GUILD = '400000000000000001';
const GENERAL = '400000000000000002';
const ASK = '400000000000000003';
const READONLY = '400000000000000004';
const NO_EMBEDS = '400000000000000005';
const NO_HISTORY = '400000000000000006';
const FORUM = '400000000000000007';
const OLD_THREAD = '400000000000000008';
const MOD_ROLE = '400000000000000040';
const USER = '400000000000000020';
const MODERATOR = '400000000000000021';
const OTHER = '400000000000000023';
const FOREIGN = '400000000000000100';
const FOREIGN_CHANNEL = '400000000000000101';
const BOT_ROLE = (BigInt(GUILD) + 7n).toString(); // the fake's id for the bot's managed role
const ROOT = path.resolve(import.meta.dirname, '../..');

const commands = await loadCommands();
let fake: FakeDiscord | undefined;
let bot: Bot | undefined;
let dir: string | undefined;
let logs: string[] = [];

afterEach(async () => {
  await bot?.stop();
  if (fake) {
    expect(fake.internalErrors).toEqual([]);
    expect(fake.unmatchedRequests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  }
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  bot = undefined;
  fake = undefined;
  dir = undefined;
});

interface StartOptions {
  extraGuilds?: FakeGuild[];
  fake?: FakeDiscordOptions;
}

async function start(opts: StartOptions = {}): Promise<{ fake: FakeDiscord; bot: Bot }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-variations-'));
  await cp(path.join(ROOT, 'knowledge'), dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  const deny = (p: bigint) => [{ id: BOT_ROLE, type: 0 as const, deny: p }];
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    defaultUser: { id: USER, username: 'alice' },
    ...opts.fake,
    guilds: [
      {
        id: GUILD,
        name: 'Policing Watch',
        channels: [
          { id: GENERAL, name: 'general' },
          { id: ASK, name: 'ask-the-bot' },
          {
            id: READONLY,
            name: 'announcements',
            permissionOverwrites: deny(PermissionFlagsBits.SendMessages),
          },
          { id: NO_EMBEDS, name: 'no-embeds', permissionOverwrites: deny(PermissionFlagsBits.EmbedLinks) },
          {
            id: NO_HISTORY,
            name: 'no-history',
            permissionOverwrites: deny(PermissionFlagsBits.ReadMessageHistory),
          },
          { id: FORUM, name: 'questions', type: 15 },
          // Active before the bot connected: known only from GUILD_CREATE's `threads`.
          { id: OLD_THREAD, name: 'older thread', type: 11, parentId: GENERAL },
        ],
        roles: [{ id: MOD_ROLE, name: 'Knowledge moderators' }],
        members: [
          { id: USER, username: 'alice' },
          { id: MODERATOR, username: 'mo', roles: [MOD_ROLE] },
          { id: OTHER, username: 'bob' },
        ],
      },
      // A server where only users installed the app: the bot is not in it.
      {
        id: FOREIGN,
        botIsMember: false,
        channels: [{ id: FOREIGN_CHANNEL, name: 'elsewhere' }],
        members: [{ id: USER, username: 'alice' }],
      },
      ...(opts.extraGuilds ?? []),
    ],
  });
  bot = await newBot(fake);
  const started = Date.now();
  await bot.start();
  lastStartMs = Date.now() - started;
  return { fake, bot };
}

let lastStartMs = 0;

/** A bot process on the fake (a second call is a restart: nothing in memory survives). */
async function newBot(f: FakeDiscord): Promise<Bot> {
  if (!dir) throw new Error('no knowledge folder');
  const config: BotConfig = {
    token: 'fake.bot.token',
    clientId: f.applicationId,
    guildId: GUILD,
    askChannelIds: [ASK],
    moderatorRoleIds: [MOD_ROLE],
    knowledgeDir: dir,
    auditLogPath: path.join(dir, 'audit.log.jsonl'),
    gapsPath: path.join(dir, 'gaps.jsonl'),
    ingestAllowAddresses: [],
    apiBase: f.apiBase,
    logLevel: 'info',
  };
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  logs = [];
  return createBot({
    config,
    holder: await KnowledgeHolder.open(dir),
    logger: createLogger('info', sink),
    commands,
    rateLimit: { max: 100, windowMs: 60_000 },
    busy: { messages: 100, windowMs: 60_000 },
    // Discord makes a shard wait 5 s between two IDENTIFYs; re-identify tests skip that wait.
    gateway: { identifyThrottler: () => ({ waitForIdentify: async () => {} }) },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const embedOf = (m: { embeds?: APIEmbed[] }): APIEmbed => {
  const e = m.embeds?.[0];
  if (!e) throw new Error(`no embed in ${JSON.stringify(m)}`);
  return e;
};
/** Parsed log lines at pino's error level or above. */
const errorLogs = () => logs.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
const logged = (msg: string) => logs.some((l) => l.includes(msg));
const postsTo = (f: FakeDiscord, channelId: string) =>
  f.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
const channelReplies = (f: FakeDiscord, channelId: string): SentMessage[] =>
  f.sentMessages.filter((m) => m.via === 'channel' && m.channelId === channelId);

function expectNoPings(f: FakeDiscord): void {
  for (const s of f.sentMessages)
    expect(s.body.allowed_mentions, `${s.via} ${s.messageId}`).toEqual({ parse: [] });
}

/** Sends `content` and waits for the bot's reply to that message in `channelId`. */
async function ask(
  f: FakeDiscord,
  input: Parameters<FakeDiscord['sendMessage']>[0],
): Promise<{ question: string; reply: SentMessage }> {
  const { message } = await f.sendMessage(input);
  const reply = await f.waitForSentMessage(
    (m) =>
      m.channelId === message.channel_id &&
      m.via === 'channel' &&
      m.body.message_reference?.message_id === message.id,
  );
  return { question: message.id, reply };
}

describe('mentions and replies', () => {
  it('answers <@id> and <@!id> at the start, in the middle and at the end, once each, without pinging', async () => {
    const { fake } = await start();
    const bot = fake.botUser.id;
    for (const content of [
      `<@${bot}> is west midlands police in special measures?`,
      `<@!${bot}> is west midlands police in special measures?`,
      `is west midlands police <@${bot}> in special measures?`,
      `is west midlands police in special measures? <@!${bot}>`,
    ]) {
      const { reply } = await ask(fake, { channelId: GENERAL, content });
      expect(embedOf(reply.body).title).toContain('West Midlands Police');
    }
    await sleep(50);
    expect(channelReplies(fake, GENERAL)).toHaveLength(4);
    expectNoPings(fake);
    expect(errorLogs()).toEqual([]);
  });

  it('answers a mention of its managed role like a mention; other roles and @everyone are not for it', async () => {
    const { fake } = await start();
    expect(fake.botRoleId(GUILD)).toBe(BOT_ROLE);
    const { reply } = await ask(fake, {
      channelId: GENERAL,
      content: `<@&${BOT_ROLE}> is wiltshire police in special measures?`,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire Police');
    await fake.sendMessage({
      channelId: GENERAL,
      content: `<@&${MOD_ROLE}> is wiltshire police in special measures?`,
    });
    await fake.sendMessage({
      channelId: GENERAL,
      content: '@everyone is wiltshire police in special measures?',
    });
    await sleep(150);
    expect(channelReplies(fake, GENERAL)).toHaveLength(1);
  });

  it('a message that is only the mention gets a short help note; in reply to someone’s question, an answer to it', async () => {
    const { fake } = await start();
    const { reply } = await ask(fake, { channelId: GENERAL, content: `<@${fake.botUser.id}>   ` });
    expect(embedOf(reply.body).description).toMatch(/^Ask me about police inspections/);
    const { message } = await fake.sendMessage({
      channelId: GENERAL,
      author: { id: OTHER, username: 'bob' },
      content: 'Is Wiltshire Police in special measures?',
    });
    const answer = await ask(fake, {
      channelId: GENERAL,
      content: `<@${fake.botUser.id}>`,
      messageReference: { messageId: message.id },
    });
    expect(embedOf(answer.reply.body).title).toContain('Wiltshire Police');
    expectNoPings(fake);
  });

  it('a reply to its answer is answered, with or without the ping, and keeps the force; chatter is not', async () => {
    const { fake } = await start();
    const first = await ask(fake, {
      channelId: GENERAL,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    const pinged = await ask(fake, {
      channelId: GENERAL,
      content: 'what did they say?',
      messageReference: { messageId: first.reply.messageId },
    });
    expect(embedOf(pinged.reply.body).title).toBe('Responses: West Midlands Police');
    const quiet = await ask(fake, {
      channelId: GENERAL,
      content: 'what did they say?',
      messageReference: { messageId: first.reply.messageId },
      mentionRepliedUser: false,
    });
    expect(embedOf(quiet.reply.body).title).toBe('Responses: West Midlands Police');
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'thanks!',
      messageReference: { messageId: first.reply.messageId },
      mentionRepliedUser: false,
    });
    await sleep(150);
    expect(channelReplies(fake, GENERAL)).toHaveLength(3);
  });

  it('after a restart, a reply to one of its old answers (ping off) is still recognised', async () => {
    const { fake } = await start();
    const first = await ask(fake, {
      channelId: GENERAL,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    await bot?.stop();
    bot = await newBot(fake);
    await bot.start();
    const again = await ask(fake, {
      channelId: GENERAL,
      content: 'Is Wiltshire Police in special measures?',
      messageReference: { messageId: first.reply.messageId },
      mentionRepliedUser: false,
    });
    expect(embedOf(again.reply.body).title).toContain('Wiltshire Police');
    // The force of an answer from before the restart comes from that answer itself.
    const follow = await ask(fake, {
      channelId: GENERAL,
      content: 'what did they say?',
      messageReference: { messageId: first.reply.messageId },
      mentionRepliedUser: false,
    });
    expect(embedOf(follow.reply.body).title).toBe('Responses: West Midlands Police');
  });
});

describe('direct messages', () => {
  it('answers a question in a DM without a mention, replies to chatter there, answers a forwarded question, and takes /status in a DM', async () => {
    const { fake } = await start();
    const { reply } = await ask(fake, {
      guildId: null,
      content: 'Is West Midlands Police in special measures?',
    });
    expect(fake.getChannel(reply.channelId)?.type).toBe(1);
    expect(embedOf(reply.body).title).toContain('West Midlands Police');
    const hello = await ask(fake, { guildId: null, content: 'hello there' });
    expect(embedOf(hello.reply.body).title).toBe('No answer from the sources');
    // Recorded as a coverage gap without the DM channel (which would say who asked).
    await bot?.ctx.gaps.flush();
    const gaps = await readFile(path.join(dir ?? '', 'gaps.jsonl'), 'utf8');
    expect(gaps).toContain('hello there');
    expect(gaps).not.toContain(reply.channelId);
    // A question seen in a server, forwarded to the bot (the forward's own text is empty).
    const seen = await fake.sendMessage({
      channelId: GENERAL,
      author: { id: OTHER },
      content: 'What did Wendy Williams say about Wiltshire?',
    });
    const forward = await ask(fake, { guildId: null, content: '', forwardOf: seen.message.id });
    expect(embedOf(forward.reply.body).description).toContain('Wendy Williams');
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      guildId: null,
      options: { force: 'wiltshire' },
    });
    expect(embedOf((await h.waitForResponse()).message ?? {}).title).toContain('Wiltshire Police');
    expectNoPings(fake);
  });

  it('answers a DM whose MESSAGE_CREATE has no channel_type (discord.js would drop it)', async () => {
    const { fake } = await start();
    const { reply } = await ask(fake, {
      guildId: null,
      author: { id: OTHER, username: 'bob' },
      content: 'Is Wiltshire Police in special measures?',
      omitChannelType: true,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire Police');
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/channels/${reply.channelId}`)).toBe(
      true,
    );
  });
});

describe('threads and forum posts', () => {
  it('answers in a member’s new thread, a voice channel’s chat, and a thread known only from GUILD_CREATE', async () => {
    const { fake } = await start();
    const THREAD = '400000000000000050';
    fake.addChannel(GUILD, { id: THREAD, name: 'discussion', type: 11, parentId: GENERAL });
    await fake.waitForRequest(() => true, { timeoutMs: 100 }).catch(() => undefined);
    await sleep(30);
    const a = await ask(fake, {
      channelId: THREAD,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(a.reply.body).title).toContain('Wiltshire Police');
    // A voice channel's text chat, created after READY.
    fake.addChannel(GUILD, { id: '400000000000000053', name: 'Voice', type: 2 });
    await sleep(30);
    const voice = await ask(fake, {
      channelId: '400000000000000053',
      content: 'is cleveland police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(voice.reply.body).title).toContain('Cleveland Police');
    const b = await ask(fake, {
      channelId: OLD_THREAD,
      content: 'what did inspectors find about wiltshire?',
      mentionsBot: true,
    });
    expect(embedOf(b.reply.body).title).toContain('Wiltshire Police');
  });

  it('answers in threads it never heard of: under a listed channel without a mention, and without channel_type', async () => {
    const { fake } = await start();
    const UNDER_ASK = '400000000000000051';
    const UNDER_GENERAL = '400000000000000052';
    fake.addChannel(
      GUILD,
      { id: UNDER_ASK, name: 'old question', type: 11, parentId: ASK },
      { announce: false },
    );
    fake.addChannel(
      GUILD,
      { id: UNDER_GENERAL, name: 'older', type: 11, parentId: GENERAL },
      { announce: false },
    );
    // discord.js makes a partial thread (no parent): the bot asks Discord which channel it belongs to.
    const listed = await ask(fake, {
      channelId: UNDER_ASK,
      content: 'Is Wiltshire Police in special measures?',
    });
    expect(embedOf(listed.reply.body).title).toContain('Wiltshire Police');
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === `/channels/${UNDER_ASK}`)).toBe(true);
    const bare = await ask(fake, {
      channelId: UNDER_GENERAL,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
      omitChannelType: true,
    });
    expect(embedOf(bare.reply.body).title).toContain('West Midlands Police');
    // Chatter in a thread of a listed channel stays unanswered.
    await fake.sendMessage({ channelId: UNDER_ASK, content: 'cheers' });
    await sleep(100);
    expect(channelReplies(fake, UNDER_ASK)).toHaveLength(1);
    expect(errorLogs()).toEqual([]);
  });

  it('answers a forum post that mentions it, announced or not', async () => {
    const { fake } = await start();
    const post = await fake.createForumPost({
      forumId: FORUM,
      name: 'West Midlands?',
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    const reply = await fake.waitForChannelMessage(String(post.thread.id));
    expect(reply.body.message_reference?.message_id).toBe(post.thread.id);
    expect(embedOf(reply.body).title).toContain('West Midlands Police');
    const hidden = await fake.createForumPost({
      forumId: FORUM,
      name: 'Wiltshire?',
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
      announce: false,
      omitChannelType: true,
    });
    expect(embedOf((await fake.waitForChannelMessage(String(hidden.thread.id))).body).title).toContain(
      'Wiltshire',
    );
  });
});

describe('channel permissions', () => {
  it('stays silent (and logs why) where it may not send; never gets a 403', async () => {
    const { fake } = await start();
    await fake.sendMessage({
      channelId: READONLY,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    await sleep(150);
    expect(postsTo(fake, READONLY)).toEqual([]);
    expect(logged('cannot answer here')).toBe(true);
    // Permissions changed at run time (CHANNEL_UPDATE) are followed too.
    fake.setPermissionOverwrites(GENERAL, [
      { id: BOT_ROLE, type: 0, deny: PermissionFlagsBits.SendMessages },
    ]);
    await sleep(30);
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    await sleep(150);
    expect(postsTo(fake, GENERAL)).toEqual([]);
    expect(fake.failedRequests).toEqual([]);
    expect(errorLogs()).toEqual([]);
  });

  it('without Embed Links answers as text; without Read Message History posts without the reply reference', async () => {
    const { fake } = await start();
    await fake.sendMessage({
      channelId: NO_EMBEDS,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    const text = await fake.waitForChannelMessage(NO_EMBEDS);
    expect(text.body.embeds ?? []).toEqual([]);
    expect(text.body.content).toContain('**West Midlands Police: Engage');
    expect(text.body.content).toContain('> West Midlands Police will be put into special measures');
    expect([...(text.body.content ?? '')].length).toBeLessThanOrEqual(2000);
    expect(text.body.components?.length).toBe(1); // 👍 / 👎 need no permission
    await fake.sendMessage({
      channelId: NO_HISTORY,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    const plain = await fake.waitForChannelMessage(NO_HISTORY);
    expect(plain.body.message_reference).toBeUndefined();
    expect(embedOf(plain.body).title).toContain('Wiltshire Police');
    expect(fake.failedRequests).toEqual([]);
    expectNoPings(fake);
  });

  it('a 50013 from Discord anyway is logged as a warning, not apologised for; the next question is answered', async () => {
    const { fake } = await start();
    const refused = fake.failRequests({
      method: 'POST',
      path: `/channels/${GENERAL}/messages`,
      status: 403,
      code: 50013,
      message: 'Missing Permissions',
    });
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    await fake.waitForRequest((r) => r.status === 403);
    await sleep(100);
    expect(refused.hits).toBe(1);
    expect(postsTo(fake, GENERAL)).toHaveLength(1); // no apology attempt
    expect(logged('Discord refused the answer')).toBe(true);
    expect(errorLogs()).toEqual([]);
    const { reply } = await ask(fake, {
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire');
  });
});

describe('REST failures on replies', () => {
  it('waits out a 429 (per route or global) on a message reply and on an interaction reply, and retries a 500', async () => {
    const { fake } = await start();
    fake.failRequests({
      method: 'POST',
      path: `/channels/${GENERAL}/messages`,
      status: 429,
      retryAfterMs: 300,
    });
    const { reply } = await ask(fake, {
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire');
    expect(logged('Discord rate limit')).toBe(true);
    fake.failRequests({ path: '/callback', status: 429, retryAfterMs: 300 });
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    const res = await h.waitForResponse();
    expect(res.latencyMs).toBeGreaterThanOrEqual(300);
    expect(res.latencyMs).toBeLessThan(3000);
    fake.failRequests({ path: '/callback', status: 429, retryAfterMs: 200, global: true });
    const global = await fake.sendInteraction({ type: 'command', name: 'forces' });
    expect((await global.waitForResponse()).latencyMs).toBeGreaterThanOrEqual(200);
    fake.failRequests({ path: '/callback', status: 500 });
    const h2 = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    expect((await h2.waitForResponse()).type).toBe(4);
    expect(errorLogs()).toEqual([]);
  });

  it('a reply Discord keeps failing (5xx) gets an apology with an error id in the logs; the bot goes on', async () => {
    const { fake } = await start();
    fake.failRequests({ method: 'POST', path: `/channels/${GENERAL}/messages`, status: 503, times: 4 });
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    const apology = await fake.waitForChannelMessage(GENERAL, undefined, { timeoutMs: 5000 });
    const id = /error id `([0-9a-f]{8})`/.exec(embedOf(apology.body).description ?? '')?.[1];
    expect(
      errorLogs().some((l) => l.errorId === id && /503|Service Unavailable/.test(JSON.stringify(l.err))),
    ).toBe(true);
    const { reply } = await ask(fake, {
      channelId: GENERAL,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(reply.body).title).toContain('West Midlands');
  });

  it('an interaction whose token expired (10062) is logged and left; the same interaction twice is answered once', async () => {
    const { fake } = await start();
    fake.failRequests({ path: '/callback', status: 404, code: 10062, message: 'Unknown interaction' });
    await fake.sendInteraction({ type: 'command', name: 'status', options: { force: 'wiltshire' } });
    await fake.waitForRequest((r) => r.status === 404);
    await sleep(100);
    expect(logged('interaction gone')).toBe(true);
    expect(errorLogs()).toEqual([]);
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    expect((await h.waitForResponse()).type).toBe(4);
    fake.dispatch('INTERACTION_CREATE', h.payload); // delivered again, e.g. around a reconnect
    await sleep(150);
    expect(h.callbacks).toHaveLength(1);
    expect(logged('arrived twice')).toBe(true);
    expect(errorLogs()).toEqual([]);
  });
});

describe('other events', () => {
  it('edits, deletes, reactions, typing, duplicates and unknown events: no answers, no errors, then business as usual', async () => {
    const { fake } = await start();
    const { message } = await fake.sendMessage({
      channelId: GENERAL,
      content: 'is wiltshire police in special measures',
    });
    const edited = {
      ...message,
      content: `<@${fake.botUser.id}> is wiltshire police in special measures?`,
      edited_timestamp: new Date().toISOString(),
    };
    fake.dispatch('MESSAGE_UPDATE', edited);
    fake.dispatch('MESSAGE_UPDATE', {
      id: '400000000000009999',
      channel_id: GENERAL,
      guild_id: GUILD,
      content: 'unknown',
    });
    fake.dispatch('MESSAGE_REACTION_ADD', {
      user_id: USER,
      channel_id: GENERAL,
      message_id: message.id,
      guild_id: GUILD,
      emoji: { id: null, name: '👍' },
      type: 0,
      burst: false,
    });
    fake.dispatch('TYPING_START', { channel_id: GENERAL, guild_id: GUILD, user_id: USER, timestamp: 1 });
    fake.dispatch('TYPING_START', { channel_id: '400000000000008888', user_id: USER, timestamp: 1 });
    fake.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: GENERAL, guild_id: GUILD });
    fake.dispatch('MESSAGE_DELETE_BULK', { ids: ['1', '2'], channel_id: GENERAL, guild_id: GUILD });
    fake.dispatch('SOMETHING_DISCORD_ADDS_NEXT_YEAR', { guild_id: GUILD, whatever: [1, 2, 3] });
    fake.dispatch('CHANNEL_PINS_UPDATE', { channel_id: GENERAL, guild_id: GUILD, last_pin_timestamp: null });
    const asked = await fake.sendMessage({
      channelId: GENERAL,
      content: 'is cleveland police in special measures?',
      mentionsBot: true,
    });
    fake.dispatch('MESSAGE_CREATE', asked.message); // the same message twice
    await fake.waitForChannelMessage(GENERAL);
    await sleep(150);
    expect(channelReplies(fake, GENERAL).map((m) => m.body.message_reference?.message_id)).toEqual([
      asked.message.id,
    ]);
    expect(errorLogs()).toEqual([]);
  });
});

describe('guilds', () => {
  it('answers in a server joined after READY, by mention and by command', async () => {
    const { fake } = await start();
    const LATER = '400000000000000200';
    fake.addGuild({
      id: LATER,
      name: 'Joined later',
      channels: [{ id: '400000000000000201', name: 'chat' }],
    });
    await sleep(50);
    expect(logged('joined a server')).toBe(true);
    const { reply } = await ask(fake, {
      channelId: '400000000000000201',
      content: `<@&${fake.botRoleId(LATER)}> is wiltshire police in special measures?`,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire');
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'forces',
      channelId: '400000000000000201',
    });
    expect((await h.waitForResponse()).type).toBe(4);
  });

  it('a server in an outage does not hold up READY; when it comes back the bot answers there', async () => {
    const OUT = '400000000000000300';
    const { fake } = await start({
      extraGuilds: [
        { id: OUT, unavailable: 'outage', channels: [{ id: '400000000000000301', name: 'chat' }] },
      ],
    });
    expect(lastStartMs).toBeLessThan(WAIT_GUILD_TIMEOUT_MS);
    expect(logged('"unavailable":1')).toBe(true);
    fake.setGuildAvailable(OUT);
    await sleep(50);
    const { reply } = await ask(fake, {
      channelId: '400000000000000301',
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    expect(embedOf(reply.body).title).toContain('Wiltshire');
  });

  it('a server READY lists but Discord never sends delays READY only by WAIT_GUILD_TIMEOUT_MS', async () => {
    const { fake } = await start({ extraGuilds: [{ id: '400000000000000400', unavailable: 'silent' }] });
    expect(lastStartMs).toBeGreaterThanOrEqual(WAIT_GUILD_TIMEOUT_MS - 100);
    expect(lastStartMs).toBeLessThan(WAIT_GUILD_TIMEOUT_MS + 1500);
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    expect((await h.waitForResponse()).type).toBe(4);
  });
});

describe('interactions', () => {
  it('force as free text: typos, names, aliases, spaces, nonsense, empty or missing — an answer, never an apology', async () => {
    const { fake } = await start();
    const status = async (options: Record<string, string> | undefined) => {
      const h = await fake.sendInteraction({
        type: 'command',
        name: 'status',
        ...(options ? { options } : {}),
      });
      const res = await h.waitForResponse();
      expect(res.type).toBe(4);
      expect(res.ephemeral).toBe(false);
      return embedOf(res.message ?? {});
    };
    expect((await status({ force: 'west midlnads' })).title).toContain('West Midlands Police');
    expect((await status({ force: 'The Met' })).title).toContain('Metropolitan Police');
    expect((await status({ force: '   WMP  ' })).title).toContain('West Midlands Police');
    expect((await status({ force: 'West Midlands Police — Engage' })).title).toContain(
      'West Midlands Police',
    );
    expect((await status({ force: 'xyzzy' })).description).toContain(
      'I don’t know a police force called'.replace('’', "'"),
    );
    expect((await status({ force: '' })).description).toMatch(/Which force\?/);
    expect((await status(undefined)).description).toMatch(/Which force\?/);
    expect((await status({ force: '@everyone <@&1> wiltshire' })).title).toContain('Wiltshire Police');
    const ask = await fake.sendInteraction({ type: 'command', name: 'ask' });
    expect((await ask.waitForResponse()).type).toBe(4);
    // /kb with its options left out: a note saying what to give.
    const kb = async (subcommand?: string) => {
      const h = await fake.sendInteraction({
        type: 'command',
        name: 'kb',
        user: { id: MODERATOR },
        ...(subcommand ? { subcommand } : {}),
      });
      await h.waitForResponse();
      return embedOf((await h.waitForOriginal()) ?? {}).description ?? '';
    };
    expect(await kb('add')).toMatch(/Give `url:`/);
    expect(await kb('remove')).toMatch(/There is no article/);
    expect(await kb()).toMatch(/No subcommand/);
    expectNoPings(fake);
    expect(errorLogs()).toEqual([]);
  });

  it('options in any order and options it does not know are fine', async () => {
    const { fake } = await start();
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'ask',
      options: [
        { name: 'ephemeral', type: 5, value: true },
        { name: 'question', type: 3, value: 'What did Wendy Williams say about Wiltshire?' },
        { name: 'count', type: 4, value: 3 },
      ],
    });
    expect(embedOf((await h.waitForResponse()).message ?? {}).description).toContain('Wendy Williams');
  });

  it('autocomplete: empty value, a value, another option focused, no option focused, a command it does not know', async () => {
    const { fake } = await start();
    const choices = async (input: Parameters<FakeDiscord['sendInteraction']>[0]) =>
      (await (await fake.sendInteraction(input)).waitForResponse()).choices ?? [];
    expect(await choices({ type: 'autocomplete', name: 'status', focused: 'force' })).toHaveLength(25);
    expect(
      (
        await choices({
          type: 'autocomplete',
          name: 'responses',
          options: { force: 'wilt' },
          focused: 'force',
        })
      )[0]?.value,
    ).toBe('wiltshire');
    expect(
      await choices({
        type: 'autocomplete',
        name: 'status',
        options: { force: 'x', other: 'y' },
        focused: 'other',
      }),
    ).toEqual([]);
    expect(
      await choices({
        type: 'autocomplete',
        name: 'findings',
        options: [{ name: 'force', type: 3, value: 'wilt' }],
        focused: 'force',
        mutate: (p) => {
          for (const o of (p.data as { options: { focused?: boolean }[] }).options) delete o.focused;
        },
      }),
    ).toEqual([]);
    expect(await choices({ type: 'autocomplete', name: 'retired-command', focused: 'q' })).toEqual([]);
    expect(errorLogs()).toEqual([]);
  });

  it('a command it does not know, and a context menu command, get a private note', async () => {
    const { fake } = await start();
    const unknown = await (
      await fake.sendInteraction({ type: 'command', name: 'weather' })
    ).waitForResponse();
    expect(unknown.ephemeral).toBe(true);
    expect(embedOf(unknown.message ?? {}).description).toMatch(/do not know that command/);
    const user = await (
      await fake.sendInteraction({ type: 'command', name: 'Ask about', commandType: 2, targetId: OTHER })
    ).waitForResponse();
    expect(user.ephemeral).toBe(true);
    const { message } = await fake.sendMessage({ channelId: GENERAL, content: 'a message' });
    const msg = await (
      await fake.sendInteraction({
        type: 'command',
        name: 'Check this',
        commandType: 3,
        targetId: message.id,
      })
    ).waitForResponse();
    expect(embedOf(msg.message ?? {}).description).toMatch(/do not know that command/);
  });

  it('answers in every context: a group DM via a user install, a server without the bot, no channel permissions', async () => {
    const { fake } = await start();
    const privateDm = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      context: 2,
      options: { force: 'wiltshire' },
    });
    expect(privateDm.payload.context).toBe(2);
    expect(embedOf((await privateDm.waitForResponse()).message ?? {}).title).toContain('Wiltshire');
    const foreign = await fake.sendInteraction({
      type: 'command',
      name: 'forces',
      channelId: FOREIGN_CHANNEL,
    });
    expect(foreign.payload.authorizing_integration_owners).toEqual({ '1': USER });
    expect((await foreign.waitForResponse()).type).toBe(4);
    const noPerms = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      channelId: READONLY,
      appPermissions: PermissionFlagsBits.ViewChannel,
      options: { force: 'west-midlands' },
    });
    expect(embedOf((await noPerms.waitForResponse()).message ?? {}).color).toBe(0xd83c3e);
    // No channel message was needed (or attempted) for any of them.
    expect(fake.requests.filter((r) => r.path.startsWith('/channels/'))).toEqual([]);
    expect(errorLogs()).toEqual([]);
  });

  it('/kb is refused through a user install, even to someone with Manage Server there', async () => {
    const { fake } = await start();
    const viaUser = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      channelId: FOREIGN_CHANNEL,
      permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel,
    });
    const res = await viaUser.waitForResponse();
    expect(res.ephemeral).toBe(true);
    expect(embedOf(res.message ?? {}).description).toMatch(/server that has added the bot/);
    const userInstallHere = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      user: { id: MODERATOR },
      authorizingIntegrationOwners: { '1': MODERATOR },
    });
    expect(embedOf((await userInstallHere.waitForResponse()).message ?? {}).description).toMatch(
      /server that has added the bot/,
    );
    const moderator = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      user: { id: MODERATOR },
    });
    expect(embedOf((await moderator.waitForResponse()).message ?? {}).title).toBe('Knowledge base');
  });

  it('older payloads without authorizing_integration_owners, entitlements or channel are answered (discord.js throws on them)', async () => {
    const { fake } = await start();
    const old = (p: Record<string, unknown>) => {
      delete p.authorizing_integration_owners;
      delete p.entitlements;
      delete p.channel;
      delete p.context;
      delete p.app_permissions;
      delete p.attachment_size_limit;
    };
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
      mutate: old,
    });
    expect(embedOf((await h.waitForResponse()).message ?? {}).title).toContain('Wiltshire');
    const dm = await fake.sendInteraction({ type: 'command', name: 'forces', guildId: null, mutate: old });
    expect((await dm.waitForResponse()).type).toBe(4);
    const kb = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      user: { id: MODERATOR },
      mutate: old,
    });
    expect(embedOf((await kb.waitForResponse()).message ?? {}).title).toBe('Knowledge base');
    const ac = await fake.sendInteraction({
      type: 'autocomplete',
      name: 'status',
      focused: 'force',
      mutate: old,
    });
    expect((await ac.waitForResponse()).choices).toHaveLength(25);
    expect(errorLogs()).toEqual([]);
  });

  it('buttons, menus and forms from before a restart get a private note, never an error', async () => {
    const { fake } = await start();
    const press = async (input: Parameters<FakeDiscord['sendInteraction']>[0]) => {
      const res = await (await fake.sendInteraction(input)).waitForResponse();
      expect(res.ephemeral).toBe(true);
      return embedOf(res.message ?? {}).description ?? '';
    };
    expect(await press({ type: 'button', customId: 'fb:up:0123456789ab' })).toMatch(/Thanks — noted/);
    expect(await press({ type: 'button', customId: 'fb:down:0123456789ab' })).toMatch(/Thanks — noted/);
    expect(await press({ type: 'button', customId: 'kb:add:confirm:gone', user: { id: MODERATOR } })).toMatch(
      /expired/,
    );
    expect(await press({ type: 'button', customId: 'poll:vote:1' })).toMatch(/no longer works/);
    expect(await press({ type: 'select', customId: 'old:menu', values: ['a'] })).toMatch(/no longer works/);
    expect(await press({ type: 'modal', customId: 'old:form', fields: { a: 'b' } })).toMatch(
      /form no longer works/,
    );
    expect(
      await press({
        type: 'modal',
        customId: 'kb:add:fix:gone',
        fields: { date: '2024-01-01' },
        user: { id: MODERATOR },
      }),
    ).toMatch(/expired/);
    expect(await press({ type: 'button', customId: 'fb:up:0123456789ab', guildId: null })).toMatch(/Thanks/);
    expect(fake.sentMessages.filter((m) => !m.ephemeral)).toEqual([]);
    expect(errorLogs()).toEqual([]);
  });
});

describe('gateway reconnects', () => {
  /** A mention in #general gets exactly one reply. */
  async function answersOnce(f: FakeDiscord, content: string): Promise<void> {
    const before = channelReplies(f, GENERAL).length;
    await ask(f, { channelId: GENERAL, content, mentionsBot: true });
    await sleep(60);
    expect(channelReplies(f, GENERAL).length).toBe(before + 1);
  }
  const untilResumed = (b: Bot) => new Promise((r) => b.client.once(Events.ShardResume, r));
  const untilReidentified = (f: FakeDiscord, n: number) =>
    new Promise<void>((resolve) => {
      const check = () =>
        f.identifies.length >= n && f.shardSessions.length === 1 ? resolve() : setTimeout(check, 10);
      check();
    });

  function expectOneOfEverything(b: Bot): void {
    expect(logs.filter((l) => l.includes('"msg":"connected to Discord"'))).toHaveLength(1);
    expect(b.client.listenerCount(Events.MessageCreate)).toBe(1);
    expect(b.client.listenerCount(Events.InteractionCreate)).toBe(1);
    expect(b.client.listenerCount(Events.Raw)).toBe(1);
    expect(errorLogs()).toEqual([]);
  }

  it('RECONNECT, close 4000 and a resumable INVALID_SESSION: resumed, still answering once', async () => {
    const { fake, bot } = await start();
    let resumed = untilResumed(bot);
    fake.requestReconnect();
    await resumed;
    await answersOnce(fake, 'is wiltshire police in special measures?');
    resumed = untilResumed(bot);
    fake.closeGateway(4000, 'Unknown error');
    await resumed;
    resumed = untilResumed(bot);
    fake.invalidateSession(true);
    await resumed;
    await answersOnce(fake, 'is cleveland police in special measures?');
    expect(fake.resumes).toBe(3);
    expect(logged('gateway resumed')).toBe(true);
    expectOneOfEverything(bot);
  });

  it('a non-resumable INVALID_SESSION and 4009: a new session, no second "ready", still answering once', async () => {
    const { fake, bot } = await start();
    fake.invalidateSession(false);
    await untilReidentified(fake, 2);
    await sleep(30);
    await answersOnce(fake, 'is wiltshire police in special measures?');
    fake.closeGateway(4009, 'Session timed out');
    await untilReidentified(fake, 3);
    await sleep(30);
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    expect((await h.waitForResponse()).type).toBe(4);
    expect(logged('gateway session started again')).toBe(true);
    expectOneOfEverything(bot);
  });

  it('a close Discord does not reconnect after (4004) is one error naming the fix; nothing throws', async () => {
    const { fake, bot } = await start();
    fake.closeGateway(4004, 'Authentication failed.');
    await sleep(200);
    const errors = errorLogs();
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/gateway closed for good.*token was refused.*restart the bot/);
    expect(fake.identifies).toHaveLength(1); // no reconnect loop
    await bot.stop();
  });

  it('heartbeats never ACKed: discord.js drops the zombie connection, resumes, and the bot answers', async () => {
    const { fake, bot } = await start({ fake: { heartbeatIntervalMs: 60 } });
    const resumed = untilResumed(bot);
    fake.heartbeatAcks = false;
    await resumed;
    fake.heartbeatAcks = true;
    await answersOnce(fake, 'is wiltshire police in special measures?');
    expectOneOfEverything(bot);
  });
});

describe('terse payloads from Discord', () => {
  it('a message cached without its author does not break later answers in the channel', async () => {
    // No echo of the bot's own messages: what the REST reply says is all discord.js caches.
    const { fake } = await start({ fake: { echoOwnMessages: false } });
    // The bot's own reply comes back without `author`, as a minimal Discord might send it.
    const reshaped = fake.reshapeResponses({
      method: 'POST',
      path: `/channels/${GENERAL}/messages`,
      reshape: ({ author: _author, ...message }) => message,
    });
    await ask(fake, {
      channelId: GENERAL,
      content: 'is wiltshire police in special measures?',
      mentionsBot: true,
    });
    const { reply } = await ask(fake, {
      channelId: GENERAL,
      content: 'is the met in special measures?',
      mentionsBot: true,
    });
    expect(reshaped.hits).toBe(1);
    expect(embedOf(reply.body).title).toMatch(/Metropolitan/);
    expect(errorLogs()).toEqual([]);
  });

  it('an error reading back a deferred answer Discord took adds the apology as a follow-up, keeping the answer', async () => {
    const { fake } = await start();
    // discord.js throws on an edited message whose interaction_metadata lacks authorizing_integration_owners.
    fake.reshapeResponses({
      method: 'PATCH',
      path: /\/webhooks\/\d+\/[^/]+\/messages\/(?:@|%40)original/,
      reshape: (message) => ({
        ...message,
        interaction_metadata: { id: '1', type: 2, user: { id: MODERATOR } },
      }),
    });
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'refresh',
      user: { id: MODERATOR },
    });
    const answer = await h.waitForOriginal();
    const apology = await h.waitForFollowUp((m) => /error id/.test(JSON.stringify(m)), { timeoutMs: 5000 });
    expect(apology).toBeDefined();
    expect(JSON.stringify(h.original)).toBe(JSON.stringify(answer));
    expect(JSON.stringify(h.original)).not.toMatch(/error id/);
  });
});
