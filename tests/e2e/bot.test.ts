/**
 * The bot end to end: the real discord.js client, our handlers and commands, against the fake Discord in
 * tests/support/fake-discord.ts. Every test gets its own fake, bot and temp copy of the knowledge folder.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import type { BotConfig } from '../../src/config.js';
import { type Bot, createBot } from '../../src/discord/client.js';
import { type Command, loadCommands } from '../../src/discord/commands.js';
import { deployCommands } from '../../src/discord/deploy.js';
import { createLogger } from '../../src/discord/logger.js';
import {
  type FakeDiscord,
  type FakeMessage,
  type SentMessage,
  startFakeDiscord,
} from '../support/fake-discord.js';

const GUILD = '200000000000000001';
const GENERAL = '200000000000000002';
const ASK = '200000000000000003';
const MOD_ROLE = '200000000000000040';
const USER = '200000000000000020';
const MODERATOR = '200000000000000021';
const ADMIN = '200000000000000022';
const OTHER = '200000000000000023';
const OTHER_BOT = '200000000000000030';
const TOKEN = 'fake.bot.token-never-logged';
const ROOT = path.resolve(import.meta.dirname, '../..');
const KNOWLEDGE = path.join(ROOT, 'knowledge');

let commands: Map<string, Command>;
let fake: FakeDiscord | undefined;
let bot: Bot | undefined;
let dir: string | undefined;
let logs: string[];

beforeAll(async () => {
  commands = await loadCommands();
});

afterEach(async () => {
  await bot?.stop();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  bot = undefined;
  fake = undefined;
  dir = undefined;
});

interface StartOptions {
  rateLimit?: { max: number; windowMs: number };
  busy?: { messages: number; windowMs: number };
  extraCommands?: Command[];
}

async function start(opts: StartOptions = {}): Promise<{ fake: FakeDiscord; bot: Bot; dir: string }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-e2e-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    guilds: [
      {
        id: GUILD,
        name: 'Policing Watch',
        channels: [
          { id: GENERAL, name: 'general' },
          { id: ASK, name: 'ask-the-bot' },
        ],
        roles: [{ id: MOD_ROLE, name: 'Knowledge moderators' }],
        members: [
          { id: USER, username: 'alice' },
          { id: MODERATOR, username: 'mo', roles: [MOD_ROLE] },
          { id: ADMIN, username: 'admin' },
          { id: OTHER, username: 'bob' },
          { id: OTHER_BOT, username: 'otherbot', bot: true },
        ],
      },
    ],
    defaultUser: { id: USER, username: 'alice' },
  });
  const config: BotConfig = {
    token: TOKEN,
    clientId: fake.applicationId,
    guildId: GUILD,
    askChannelIds: [ASK],
    moderatorRoleIds: [MOD_ROLE],
    knowledgeDir: dir,
    auditLogPath: path.join(dir, 'audit.log.jsonl'),
    gapsPath: path.join(dir, 'gaps.jsonl'),
    ingestAllowAddresses: [],
    apiBase: fake.apiBase,
    logLevel: 'info',
  };
  logs = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const all = new Map(commands);
  for (const c of opts.extraCommands ?? []) all.set(c.data.name, c);
  bot = await createBot({
    config,
    holder: await KnowledgeHolder.open(dir),
    logger: createLogger('info', sink),
    commands: all,
    rateLimit: opts.rateLimit ?? { max: 100, windowMs: 60_000 },
    busy: opts.busy ?? { messages: 100, windowMs: 60_000 },
  });
  await bot.start();
  return { fake, bot, dir };
}

const embedOf = (m: { embeds?: APIEmbed[] }): APIEmbed => {
  const e = m.embeds?.[0];
  if (!e) throw new Error(`no embed in ${JSON.stringify(m)}`);
  return e;
};
const textOf = (e: APIEmbed): string =>
  [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text].join('\n');

function expectNoPings(sent: readonly SentMessage[]): void {
  for (const s of sent) expect(s.body.allowed_mentions, `${s.via} ${s.messageId}`).toEqual({ parse: [] });
}

function botMessagesIn(f: FakeDiscord, channelId: string): FakeMessage[] {
  return f.channelMessages(channelId).filter((m) => m.author.id === f.botUser.id);
}

describe('slash commands', () => {
  it('/status answers inside 3 s with a red Engage embed, cited quotes and its source', async () => {
    const { fake } = await start();
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'west-midlands' },
    });
    const res = await h.waitForResponse();
    expect(res.type).toBe(4);
    expect(res.latencyMs).toBeLessThan(3000);
    const e = embedOf(res.message ?? {});
    expect(e.color).toBe(0xd83c3e);
    expect(e.title).toContain('West Midlands Police');
    expect(e.description).toContain('> West Midlands Police will be put into special measures');
    expect(e.fields?.find((f) => f.name === 'Since')?.value).toBe('2023-11-24');
    expect(e.fields?.find((f) => f.name === 'Source')?.value).toContain('Sky News, 2023-11-24');
    expect(res.message?.allowed_mentions).toEqual({ parse: [] });
  });

  it('/status of a force with no evidence is grey and says unknown', async () => {
    const { fake } = await start();
    const h = await fake.sendInteraction({ type: 'command', name: 'status', options: { force: 'cheshire' } });
    const e = embedOf((await h.waitForResponse()).message ?? {});
    expect(e.color).toBe(0x99aab5);
    expect(e.description).toMatch(/status is unknown/);
  });

  it('/findings and /responses quote with speakers; /ask echoes the question escaped', async () => {
    const { fake } = await start();
    const f = await fake.sendInteraction({
      type: 'command',
      name: 'findings',
      options: { force: 'wiltshire' },
    });
    const fe = embedOf((await f.waitForResponse()).message ?? {});
    expect(fe.title).toBe('Inspection findings: Wiltshire Police');
    expect(fe.description).toMatch(/^> /m);

    const r = await fake.sendInteraction({
      type: 'command',
      name: 'responses',
      options: { force: 'west-midlands' },
    });
    const re = embedOf((await r.waitForResponse()).message ?? {});
    expect(re.description).toContain('Craig Guildford');

    const question = 'Who is **Craig Guildford**? @everyone';
    const a = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question } });
    const res = await a.waitForResponse();
    expect(res.message?.content).toBe('> Who is \\*\\*Craig Guildford\\*\\*? @everyone');
    expect(embedOf(res.message ?? {}).description).toContain('Craig Guildford');
    expect(res.message?.allowed_mentions).toEqual({ parse: [] });
  });

  it('/forces lists forces with evidence and /sources lists the articles', async () => {
    const { fake } = await start();
    const f = await fake.sendInteraction({ type: 'command', name: 'forces' });
    const fe = embedOf((await f.waitForResponse()).message ?? {});
    expect(fe.description).toContain('**West Midlands Police** — Engage');
    const s = await fake.sendInteraction({ type: 'command', name: 'sources' });
    const se = embedOf((await s.waitForResponse()).message ?? {});
    expect(se.description).toContain('`sky-news-2023-11-24-west-midlands-special-measures`');
    expect(se.description).toContain('`pa-2022-07-07-wiltshire-police-report`');
  });

  it('autocompletes force options: ≤ 25 choices, forces with evidence first, matches names and aliases', async () => {
    const { fake } = await start();
    const empty = await fake.sendInteraction({ type: 'autocomplete', name: 'status', focused: 'force' });
    const all = (await empty.waitForResponse()).choices ?? [];
    expect(all.length).toBe(25);
    const evidence = bot?.ctx.holder.forcesWithEvidence() ?? new Set<string>();
    expect(evidence.size).toBeGreaterThan(2);
    const firsts = all.slice(0, Math.min(evidence.size, 25)).map((c) => String(c.value));
    expect(firsts.every((v) => evidence.has(v))).toBe(true);
    for (const c of all) expect(c.name.length).toBeLessThanOrEqual(100);

    const wmp = await fake.sendInteraction({
      type: 'autocomplete',
      name: 'findings',
      options: { force: 'wmp' },
      focused: 'force',
    });
    expect((await wmp.waitForResponse()).choices?.[0]).toEqual({
      name: 'West Midlands Police — Engage',
      value: 'west-midlands',
    });
  });

  it('an unexpected error gets an ephemeral apology with an error id, logged with its stack; the bot keeps going', async () => {
    const boom: Command = {
      data: new SlashCommandBuilder().setName('boom').setDescription('throws'),
      async execute() {
        throw new Error('kaboom');
      },
    };
    const { fake } = await start({ extraCommands: [boom] });
    const h = await fake.sendInteraction({ type: 'command', name: 'boom' });
    const res = await h.waitForResponse();
    expect(res.ephemeral).toBe(true);
    const id = /error id `([0-9a-f]{8})`/.exec(embedOf(res.message ?? {}).description ?? '')?.[1];
    expect(id).toBeDefined();
    const line = logs.find((l) => l.includes(`"errorId":"${id}"`));
    expect(line).toContain('kaboom');
    expect(line).toContain('"stack"');
    const again = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'wiltshire' },
    });
    expect((await again.waitForResponse()).type).toBe(4);
    expect(logs.join('')).not.toContain(TOKEN);
  });

  it('rate-limits each user with a friendly ephemeral note', async () => {
    const { fake } = await start({ rateLimit: { max: 1, windowMs: 60_000 } });
    await (await fake.sendInteraction({ type: 'command', name: 'forces' })).waitForResponse();
    const second = await (await fake.sendInteraction({ type: 'command', name: 'forces' })).waitForResponse();
    expect(second.ephemeral).toBe(true);
    expect(embedOf(second.message ?? {}).description).toMatch(/give me \d+ seconds/);
    const other = await (
      await fake.sendInteraction({ type: 'command', name: 'forces', user: { id: OTHER } })
    ).waitForResponse();
    expect(other.ephemeral).toBe(false);
  });
});

describe('questions in channels', () => {
  it('answers when mentioned, replying to the message, and never pings', async () => {
    const { fake } = await start();
    const sent = await fake.sendMessage({
      channelId: GENERAL,
      content: 'is west midlands police in special measures?',
      mentionsBot: true,
    });
    const reply = await fake.waitForChannelMessage(GENERAL);
    expect(reply.body.message_reference?.message_id).toBe(sent.message.id);
    expect(embedOf(reply.body).description).toContain('West Midlands Police');
    expect(reply.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('when mentioned with nothing relevant it still replies; in a listed channel it stays quiet', async () => {
    const { fake } = await start();
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'what is the weather like on mars?',
      mentionsBot: true,
    });
    const reply = await fake.waitForChannelMessage(GENERAL);
    expect(embedOf(reply.body).title).toBe('No answer from the sources');

    await fake.sendMessage({ channelId: ASK, content: 'what is the weather like on mars?' });
    await fake.sendMessage({ channelId: ASK, content: 'what did Wendy Williams say about Wiltshire?' });
    const answer = await fake.waitForChannelMessage(ASK);
    expect(embedOf(answer.body).description).toContain('Wendy Williams');
    expect(botMessagesIn(fake, ASK)).toHaveLength(1);
  });

  it('answers question-like messages in a listed channel but not chatter, and not in other channels', async () => {
    const { fake } = await start();
    await fake.sendMessage({ channelId: ASK, content: 'thanks all' });
    await fake.sendMessage({ channelId: GENERAL, content: 'is wiltshire police in special measures?' });
    await fake.sendMessage({ channelId: ASK, content: 'Is Wiltshire Police in special measures?' });
    const answer = await fake.waitForChannelMessage(ASK);
    expect(embedOf(answer.body).title).toContain('Wiltshire');
    await new Promise((r) => setTimeout(r, 100));
    expect(botMessagesIn(fake, ASK)).toHaveLength(1);
    expect(botMessagesIn(fake, GENERAL)).toHaveLength(0);
  });

  it('ignores other bots and webhooks, even when they mention it', async () => {
    const { fake } = await start();
    await fake.sendMessage({
      channelId: ASK,
      content: 'is wiltshire in special measures?',
      author: { id: OTHER_BOT, bot: true },
      mentionsBot: true,
    });
    await fake.sendMessage({
      channelId: ASK,
      content: 'is wiltshire in special measures?',
      webhookId: '200000000000000099',
      mentionsBot: true,
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(botMessagesIn(fake, ASK)).toHaveLength(0);
    expect(fake.sentMessages).toHaveLength(0);
  });

  it('in a busy channel answers in a thread, and a follow-up there keeps the force', async () => {
    const { fake } = await start({ busy: { messages: 2, windowMs: 60_000 } });
    await fake.sendMessage({ channelId: ASK, content: 'morning all', author: { id: OTHER } });
    await fake.sendMessage({ channelId: ASK, content: 'anyone seen the news', author: { id: OTHER } });
    await fake.sendMessage({ channelId: ASK, content: 'Is West Midlands Police in special measures?' });
    const first = await fake.waitForSentMessage((m) => m.channelId !== ASK);
    const threadId = first.channelId;
    expect(fake.threads.map((t) => t.id)).toContain(threadId);
    expect(embedOf(first.body).title).toContain('West Midlands Police');

    await fake.sendMessage({ channelId: threadId, content: 'what did they say?' });
    const follow = await fake.waitForChannelMessage(threadId, (m) => m.messageId !== first.messageId);
    const e = embedOf(follow.body);
    expect(e.title).toBe('Responses: West Midlands Police');
    expect(e.description).toContain('Craig Guildford');
    expectNoPings(fake.sentMessages);
  });

  it('a user over the rate limit gets one friendly note, then silence', async () => {
    const { fake } = await start({ rateLimit: { max: 1, windowMs: 60_000 } });
    await fake.sendMessage({ channelId: ASK, content: 'is wiltshire police in special measures?' });
    await fake.waitForChannelMessage(ASK);
    await fake.sendMessage({ channelId: ASK, content: 'is cleveland police in special measures?' });
    await fake.waitForChannelMessage(ASK, (m) =>
      /give me \d+ seconds/.test(embedOf(m.body).description ?? ''),
    );
    await fake.sendMessage({ channelId: ASK, content: 'is staffordshire police in special measures?' });
    await new Promise((r) => setTimeout(r, 150));
    expect(botMessagesIn(fake, ASK)).toHaveLength(2);
  });
});

describe('/kb for moderators', () => {
  it('refuses a non-moderator, and refuses in DMs', async () => {
    const { fake } = await start();
    const h = await fake.sendInteraction({ type: 'command', name: 'kb', subcommand: 'stats' });
    const res = await h.waitForResponse();
    expect(res.ephemeral).toBe(true);
    expect(embedOf(res.message ?? {}).description).toMatch(/Only moderators/);
    const dm = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'refresh',
      guildId: null,
    });
    expect(embedOf((await dm.waitForResponse()).message ?? {}).description).toMatch(/only in a server/);
  });

  it('allows a moderator role and Manage Server; stats shows the counts', async () => {
    const { fake } = await start();
    const byRole = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      user: { id: MODERATOR },
    });
    const e = embedOf((await byRole.waitForResponse()).message ?? {});
    expect(e.description).toContain('**Articles:** 2');
    expect(e.description).toMatch(/\*\*Forces covered:\*\* \d+ of \d+/);
    const byPermission = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'stats',
      user: { id: ADMIN },
      permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel,
    });
    expect(embedOf((await byPermission.waitForResponse()).message ?? {}).title).toBe('Knowledge base');
  });

  it('refresh with a broken file keeps the old index answering and names the file', async () => {
    const { fake, dir } = await start();
    await writeFile(
      path.join(dir, 'articles', 'broken-article.md'),
      '---\nid: broken-article\ntitle: x\n---\nText.\n',
    );
    await rm(path.join(dir, 'articles', 'sky-news-2023-11-24-west-midlands-special-measures.md'));
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'refresh',
      user: { id: MODERATOR },
    });
    expect((await h.waitForResponse()).type).toBe(5);
    const msg = await h.waitForOriginal();
    const e = embedOf(msg);
    expect(e.title).toMatch(/Refresh failed/);
    expect(e.description).toContain('articles/broken-article.md');
    const status = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'west-midlands' },
    });
    expect(embedOf((await status.waitForResponse()).message ?? {}).color).toBe(0xd83c3e);
  });

  it('add: an attachment without front matter is validated, written, indexed, and answers change', async () => {
    const { fake, dir } = await start();
    const before = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'cleveland' },
    });
    const beforeE = embedOf((await before.waitForResponse()).message ?? {});
    const file = fake.serveAttachment({
      filename: 'cleveland.txt',
      contentType: 'text/plain; charset=utf-8',
      body: 'Cleveland Police has been taken out of special measures, the police inspectorate has said.\nThe force was praised by inspectors for improving how it answers emergency calls.\n',
    });
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      user: { id: MODERATOR },
      options: {
        file,
        title: 'Cleveland Police leaves special measures',
        publisher: 'BBC News',
        published: '2024-05-02',
        url: 'https://www.bbc.co.uk/news/example',
      },
    });
    expect((await h.waitForResponse()).type).toBe(5);
    const e = embedOf(await h.waitForOriginal());
    expect(e.title).toBe('Article added');
    expect(e.description).toContain('bbc-news-2024-05-02-cleveland-police-leaves-special-measures');
    expect(e.description).toMatch(/\*\*Learned:\*\* \d+ passages about Cleveland Police/);
    expect(e.description).toMatch(/Cleveland Police: .* → Scan/);
    const written = await readFile(
      path.join(dir, 'articles', 'bbc-news-2024-05-02-cleveland-police-leaves-special-measures.md'),
      'utf8',
    );
    expect(written).toMatch(/^---\nid: bbc-news-2024-05-02-cleveland-police-leaves-special-measures\n/);
    expect((await readdir(path.join(dir, 'articles'))).filter((f) => f.startsWith('.'))).toEqual([]);
    const after = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'cleveland' },
    });
    const afterE = embedOf((await after.waitForResponse()).message ?? {});
    expect(afterE.color).toBe(0x2e9d5b);
    expect(afterE.color).not.toBe(beforeE.color);
    expect(textOf(afterE)).toContain('(https://www.bbc.co.uk/news/example)');
    const audit = (await readFile(path.join(dir, 'audit.log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ action: 'add', ok: true, userId: MODERATOR });
  });

  it('add refuses a non-text file and a file with bad front matter, writing nothing', async () => {
    const { fake, dir } = await start();
    const png = fake.serveAttachment({
      filename: 'photo.png',
      contentType: 'image/png',
      body: Buffer.from([137, 80, 78, 71]),
    });
    const h1 = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      user: { id: MODERATOR },
      options: { file: png },
    });
    expect(embedOf(await h1.waitForOriginal()).description).toMatch(/not a \.md or \.txt file/);
    const bad = fake.serveAttachment({
      filename: 'bad.md',
      contentType: 'text/markdown',
      body: '---\nid: bad-one\ntitle: T\npublisher: P\npublished: 2099-01-01\n---\nText.\n',
    });
    const h2 = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      user: { id: MODERATOR },
      options: { file: bad },
    });
    const e2 = embedOf(await h2.waitForOriginal());
    expect(e2.title).toMatch(/Not added/);
    expect(e2.description).toMatch(/articles\/bad-one\.md \(published\).*future/);
    expect(await readdir(path.join(dir, 'articles'))).toHaveLength(2);
  });

  it('remove deletes the article, rebuilds, and history shows who did what', async () => {
    const { fake, dir } = await start();
    const ac = await fake.sendInteraction({
      type: 'autocomplete',
      name: 'kb',
      subcommand: 'remove',
      user: { id: MODERATOR },
      options: { article: 'wilt' },
      focused: 'article',
    });
    expect((await ac.waitForResponse()).choices?.[0]?.value).toBe('pa-2022-07-07-wiltshire-police-report');
    const h = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'remove',
      user: { id: MODERATOR },
      options: { article: 'pa-2022-07-07-wiltshire-police-report' },
    });
    const e = embedOf(await h.waitForOriginal());
    expect(e.title).toBe('Article removed');
    expect(e.description).toMatch(/Cleveland Police: Engage .* → unknown/);
    expect(await readdir(path.join(dir, 'articles'))).toEqual([
      'sky-news-2023-11-24-west-midlands-special-measures.md',
    ]);
    const status = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'cleveland' },
    });
    expect(embedOf((await status.waitForResponse()).message ?? {}).color).toBe(0x99aab5);

    const hist = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'history',
      user: { id: MODERATOR },
    });
    const he = embedOf((await hist.waitForResponse()).message ?? {});
    expect(he.description).toContain(`<@${MODERATOR}> remove \`pa-2022-07-07-wiltshire-police-report\``);
    expectNoPings(fake.sentMessages);
  });
});

describe('npm run deploy', () => {
  it('registers every command in the guild with one bulk PUT', async () => {
    const { fake } = await start();
    const result = await deployCommands({
      token: TOKEN,
      clientId: fake.applicationId,
      guildId: GUILD,
      apiBase: fake.apiBase,
      commands,
    });
    expect(result).toEqual({
      scope: 'guild',
      names: ['ask', 'findings', 'forces', 'kb', 'responses', 'sources', 'status'],
    });
    const req = await fake.waitForRequest((r) => r.method === 'PUT' && r.path.includes('/commands'));
    expect(req.path).toBe(`/applications/${fake.applicationId}/guilds/${GUILD}/commands`);
    const kb = fake.registeredCommands.guild[GUILD]?.find((c) => c.name === 'kb');
    expect(kb?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
    const status = fake.registeredCommands.guild[GUILD]?.find((c) => c.name === 'status');
    expect(status?.options?.[0]).toMatchObject({ name: 'force', autocomplete: true, required: true });

    const global = await deployCommands({
      token: TOKEN,
      clientId: fake.applicationId,
      guildId: null,
      apiBase: fake.apiBase,
      commands,
    });
    expect(global.scope).toBe('global');
    expect(fake.registeredCommands.global).toHaveLength(7);
  });
});

describe('npm start and npm run deploy as processes', () => {
  it('deploys, answers, never logs the token, and exits cleanly on SIGTERM', async () => {
    const { fake, dir } = await start();
    await bot?.stop();
    const env = {
      ...process.env,
      DISCORD_TOKEN: TOKEN,
      DISCORD_CLIENT_ID: fake.applicationId,
      DISCORD_GUILD_ID: GUILD,
      DISCORD_API_BASE: fake.apiBase,
      ASK_CHANNEL_IDS: ASK,
      MODERATOR_ROLE_IDS: MOD_ROLE,
      KNOWLEDGE_DIR: dir,
      LOG_LEVEL: 'info',
      // As a copied .env.example leaves them: the sharding settings are empty.
      SHARD_COUNT: '',
      SHARD_LIST: '',
    };
    const run = (script: string) => spawn(process.execPath, ['--import', 'tsx', script], { env, cwd: ROOT });
    const deploy = run('src/discord/deploy.ts');
    let deployOut = '';
    deploy.stdout.on('data', (d) => {
      deployOut += d;
    });
    expect(await new Promise((r) => deploy.on('exit', r))).toBe(0);
    expect(deployOut).toMatch(/Registered 7 commands in server/);

    const child = run('src/discord/main.ts');
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    await waitUntil(() => out.includes('connected to Discord'), 10_000);
    await fake.sendMessage({ channelId: ASK, content: 'Is Wiltshire Police in special measures?' });
    const reply = await fake.waitForChannelMessage(ASK, undefined, { timeoutMs: 5000 });
    expect(embedOf(reply.body).title).toContain('Wiltshire Police');
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', (code) => r(code)))).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(out).not.toContain(TOKEN);
  });
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
