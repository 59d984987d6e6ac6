/**
 * Only moderators change the knowledge base, bad files never replace a good index, and the token never
 * leaks: end to end through the fake Discord with the real discord.js client.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { MessageFlags, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { APIAttachment, APIEmbed } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import type { BotConfig } from '../../src/config.js';
import { type Bot, createBot } from '../../src/discord/client.js';
import { type Command, loadCommands } from '../../src/discord/commands.js';
import { createLogger } from '../../src/discord/logger.js';
import { type FakeDiscord, type InteractionHandle, startFakeDiscord } from '../support/fake-discord.js';

const GUILD = '220000000000000001';
const GENERAL = '220000000000000002';
const MOD_ROLE = '220000000000000040';
const OTHER_ROLE = '220000000000000041';
const USER = '220000000000000020';
const MODERATOR = '220000000000000021';
const HELPER = '220000000000000022';
const TOKEN = 'abuse.test.token-SECRET-never-shown';
const ROOT = path.resolve(import.meta.dirname, '../..');
const KNOWLEDGE = path.join(ROOT, 'knowledge');
const WEST_MIDLANDS = 'sky-news-2023-11-24-west-midlands-special-measures';

let fake: FakeDiscord | undefined;
let bot: Bot | undefined;
let dir: string | undefined;
let logs: string[] = [];
let servers: Server[] = [];
let skewMs = 0;

afterEach(async () => {
  await bot?.stop();
  await fake?.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
  bot = undefined;
  fake = undefined;
  dir = undefined;
  servers = [];
  skewMs = 0;
});

async function start(
  opts: { extraCommands?: Command[]; logLevel?: 'info' | 'trace' } = {},
): Promise<{ fake: FakeDiscord; dir: string }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-abuse-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    token: TOKEN,
    now: () => Date.now() + skewMs,
    guilds: [
      {
        id: GUILD,
        channels: [{ id: GENERAL, name: 'general' }],
        roles: [
          { id: MOD_ROLE, name: 'Knowledge moderators' },
          // Powerful, but neither Manage Server nor a moderator role.
          {
            id: OTHER_ROLE,
            name: 'Helpers',
            permissions:
              PermissionFlagsBits.ManageMessages |
              PermissionFlagsBits.KickMembers |
              PermissionFlagsBits.BanMembers |
              PermissionFlagsBits.ManageChannels |
              PermissionFlagsBits.ManageRoles |
              PermissionFlagsBits.ViewChannel,
          },
        ],
        members: [
          { id: USER, username: 'alice' },
          { id: MODERATOR, username: 'mo', roles: [MOD_ROLE] },
          { id: HELPER, username: 'helper', roles: [OTHER_ROLE] },
        ],
      },
    ],
    defaultUser: { id: USER, username: 'alice' },
  });
  const config: BotConfig = {
    token: TOKEN,
    clientId: fake.applicationId,
    guildId: GUILD,
    askChannelIds: [],
    moderatorRoleIds: [MOD_ROLE],
    knowledgeDir: dir,
    auditLogPath: path.join(dir, 'audit.log.jsonl'),
    gapsPath: path.join(dir, 'gaps.jsonl'),
    ingestAllowAddresses: [],
    apiBase: fake.apiBase,
    logLevel: opts.logLevel ?? 'info',
  };
  logs = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const commands = await loadCommands();
  for (const c of opts.extraCommands ?? []) commands.set(c.data.name, c);
  bot = await createBot({
    config,
    holder: await KnowledgeHolder.open(dir, { cache: false }),
    logger: createLogger(opts.logLevel ?? 'info', sink),
    commands,
    rateLimit: { max: 1000, windowMs: 60_000, channelMax: 1000 },
    busy: { messages: 1000, windowMs: 60_000 },
  });
  await bot.start();
  return { fake, dir };
}

const embedOf = (m: { embeds?: APIEmbed[] } | undefined): APIEmbed => {
  const e = m?.embeds?.[0];
  if (!e) throw new Error(`no embed in ${JSON.stringify(m)}`);
  return e;
};
/** Embed text with Markdown escapes removed, to look for file names. */
const plain = (e: APIEmbed) =>
  [e.title, e.description, ...(e.fields ?? []).map((f) => f.value)].join('\n').replace(/\\/g, '');

/** The final text of an interaction: the reply, or the edited deferred reply. */
async function finalEmbed(h: InteractionHandle): Promise<APIEmbed> {
  const res = await h.waitForResponse();
  if (res.type === 4) return embedOf(res.message);
  // A deferred change rebuilds the index (on a worker thread): allow it well past the 3 s of a first reply.
  return embedOf(await h.waitForOriginal(undefined, { timeoutMs: 30_000 }));
}

async function kb(
  f: FakeDiscord,
  subcommand: string,
  options: Record<string, string | APIAttachment> = {},
  who: { user?: string; permissions?: bigint; roles?: string[]; guildId?: null } = { user: MODERATOR },
) {
  return f.sendInteraction({
    type: 'command',
    name: 'kb',
    subcommand,
    options,
    ...(who.user ? { user: { id: who.user } } : {}),
    ...(who.permissions !== undefined ? { permissions: who.permissions } : {}),
    ...(who.roles ? { roles: who.roles } : {}),
    ...(who.guildId === null ? { guildId: null } : {}),
  });
}

async function articleNames(d: string): Promise<string[]> {
  return (await readdir(path.join(d, 'articles'))).sort();
}

describe('/kb only for moderators, checked at run time', () => {
  it('refuses every subcommand to members without Manage Server or a moderator role, and in DMs', async () => {
    const { fake, dir } = await start();
    const before = await articleNames(dir);
    const file = fake.serveAttachment('x.md', 'text/markdown', 'Cleveland Police was praised.\n');
    const calls: [string, Record<string, string | APIAttachment>][] = [
      ['refresh', {}],
      ['add', { file, title: 'T', publisher: 'P', published: '2024-01-01' }],
      ['add', { url: 'https://www.bbc.co.uk/news/x' }],
      ['remove', { article: WEST_MIDLANDS }],
      ['history', {}],
      ['gaps', {}],
      ['stats', {}],
    ];
    // Discord would not deliver these by default (the command needs Manage Server), but a server admin
    // can override that in Server Settings → Integrations: the bot checks again.
    const outsiders = [
      { user: USER, permissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages },
      { user: HELPER }, // a role with Manage Messages, Kick, Ban, Manage Channels, Manage Roles
      { user: HELPER, roles: [OTHER_ROLE, '220000000000000099'] }, // unknown role ids do not help
      // Every permission but Manage Server (and Administrator, which Discord reports as every bit set).
      {
        user: USER,
        permissions:
          Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n) &
          ~PermissionFlagsBits.ManageGuild &
          ~PermissionFlagsBits.Administrator,
      },
    ];
    for (const who of outsiders)
      for (const [sub, options] of calls) {
        const h = await kb(fake, sub, options, who);
        const res = await h.waitForResponse();
        expect(
          res.type,
          `${sub} ${JSON.stringify(who, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        ).toBe(4);
        expect(res.ephemeral).toBe(true);
        expect(embedOf(res.message).description).toMatch(/Only moderators can change the knowledge base/);
      }
    for (const [sub, options] of calls) {
      const h = await kb(fake, sub, options, { user: MODERATOR, guildId: null });
      expect(embedOf((await h.waitForResponse()).message).description).toMatch(/only in a server/);
    }
    // Autocomplete of article ids is empty for outsiders.
    const ac = await fake.sendInteraction({
      type: 'autocomplete',
      name: 'kb',
      subcommand: 'remove',
      options: { article: 'w' },
      focused: 'article',
      user: { id: HELPER },
    });
    expect((await ac.waitForResponse()).choices).toEqual([]);
    // Nothing changed, nothing fetched, nothing audited.
    expect(await articleNames(dir)).toEqual(before);
    expect(fake.requests.filter((r) => r.path.startsWith('/attachments'))).toEqual([]);
    await expect(access(path.join(dir, 'audit.log.jsonl'))).rejects.toThrow();
    // The same subcommand works for a moderator.
    const ok = await kb(fake, 'stats');
    expect(embedOf((await ok.waitForResponse()).message).title).toBe('Knowledge base');
  });
});

describe('attachments', () => {
  it('fetches only from the URL Discord gave: another host is refused without being contacted', async () => {
    const { fake, dir } = await start();
    let hits = 0;
    const elsewhere = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Cleveland Police was praised.\n');
    });
    servers.push(elsewhere);
    elsewhere.listen(0, '127.0.0.1');
    await once(elsewhere, 'listening');
    const port = (elsewhere.address() as AddressInfo).port;
    const real = fake.serveAttachment('c.txt', 'text/plain', 'Cleveland Police was praised.\n');
    const options = { title: 'Cleveland', publisher: 'BBC News', published: '2024-05-02' };
    for (const url of [
      `http://127.0.0.1:${port}/attachments/1/2/c.txt`,
      `http://localhost:${port}/c.txt`,
      'https://evil.example/attachments/c.txt',
      'file:///etc/passwd',
    ]) {
      const h = await kb(fake, 'add', { ...options, file: { ...real, url, proxy_url: url } });
      const e = await finalEmbed(h);
      expect(e.title).toBe('Not added');
      expect(e.description).toMatch(/does not come from Discord’s file servers|not HTTPS/);
    }
    expect(hits).toBe(0);
    expect(await articleNames(dir)).toHaveLength(2);
  });

  it('refuses oversized and non-text attachments; a body larger than declared is cut off at the limit', async () => {
    const { fake, dir } = await start();
    const options = { title: 'Cleveland', publisher: 'BBC News', published: '2024-05-02' };
    const text = fake.serveAttachment('c.txt', 'text/plain', 'Cleveland Police was praised.\n');
    const refusals: [APIAttachment, RegExp][] = [
      [{ ...text, size: 5_000_000 }, /5\.0 MB; articles may be at most 1 MB/],
      [{ ...text, content_type: 'application/pdf' }, /application\/pdf, not text/],
      [{ ...text, filename: 'c.exe' }, /not a \.md or \.txt file/],
      [{ ...text, filename: 'c.md.png' }, /not a \.md or \.txt file/],
    ];
    for (const [file, message] of refusals) {
      const e = await finalEmbed(await kb(fake, 'add', { ...options, file }));
      expect(e.title).toBe('Not added');
      expect(e.description?.replace(/\\/g, '')).toMatch(message);
    }
    expect(fake.requests.filter((r) => r.path.startsWith('/attachments'))).toEqual([]);
    // Declared small, served big: the download stops at the limit.
    const big = fake.serveAttachment(
      'big.txt',
      'text/plain',
      'Cleveland Police was praised. '.repeat(80_000),
    );
    const e = await finalEmbed(await kb(fake, 'add', { ...options, file: { ...big, size: 1000 } }));
    expect(e.description).toMatch(/over the 1 MB limit/);
    expect(await articleNames(dir)).toHaveLength(2);
  });

  it('a path-like id, in front matter or in remove, never reaches outside articles/', async () => {
    const { fake, dir } = await start();
    const evil = fake.serveAttachment(
      '../../etc/passwd.md',
      'text/markdown',
      '---\nid: ../../etc/passwd\ntitle: T\npublisher: P\npublished: 2024-01-01\n---\nText.\n',
    );
    const e1 = await finalEmbed(await kb(fake, 'add', { file: evil }));
    expect(e1.title).toMatch(/Not added/);
    expect(plain(e1)).toMatch(/id must be kebab-case/);
    const e2 = await finalEmbed(await kb(fake, 'remove', { article: '../../etc/passwd' }));
    expect(plain(e2)).toMatch(/There is no article `..\/..\/etc\/passwd`/);
    const e3 = await finalEmbed(await kb(fake, 'remove', { article: `../articles/${WEST_MIDLANDS}` }));
    expect(plain(e3)).toMatch(/There is no article/);
    // Without front matter, the id comes from the options, never from the file name.
    const named = fake.serveAttachment(
      '../../etc/passwd.txt',
      'text/plain',
      'Cleveland Police was praised.\n',
    );
    const e4 = await finalEmbed(
      await kb(fake, 'add', {
        file: named,
        title: 'Cleveland praised',
        publisher: 'BBC',
        published: '2024-05-02',
      }),
    );
    expect(e4.title).toBe('Article added');
    expect(await articleNames(dir)).toEqual(
      [
        `${WEST_MIDLANDS}.md`,
        'bbc-2024-05-02-cleveland-praised.md',
        'pa-2022-07-07-wiltshire-police-report.md',
      ].sort(),
    );
    await expect(access(path.join(dir, '..', 'etc'))).rejects.toThrow();
  });
});

describe('bad files and concurrent changes through Discord', () => {
  it('refresh with several broken files keeps the old index answering and lists each file', async () => {
    const { fake, dir } = await start();
    const broken: Record<string, string | Uint8Array> = {
      'empty.md': '',
      'binary.md': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff, 0xfe]),
      'future.md': '---\nid: future\ntitle: T\npublisher: P\npublished: 2999-01-01\n---\nText.\n',
      'wrong-id.md': '---\nid: right-id\ntitle: T\npublisher: P\npublished: 2024-01-01\n---\nText.\n',
      'passwd.md': '---\nid: ../../etc/passwd\ntitle: T\npublisher: P\npublished: 2024-01-01\n---\nText.\n',
      'huge.md': `---\nid: huge\ntitle: T\npublisher: P\npublished: 2024-01-01\n---\n${'Text. '.repeat(900_000)}\n`,
    };
    for (const [name, bytes] of Object.entries(broken))
      await writeFile(path.join(dir, 'articles', name), bytes);
    // The change that would matter if the refresh went through: West Midlands' article gone.
    await rm(path.join(dir, 'articles', `${WEST_MIDLANDS}.md`));
    const e = await finalEmbed(await kb(fake, 'refresh'));
    expect(e.title).toMatch(/Refresh failed — still answering from the previous index/);
    for (const name of Object.keys(broken)) expect(plain(e)).toContain(`articles/${name}`);
    const status = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'west-midlands' },
    });
    expect(embedOf((await status.waitForResponse()).message).color).toBe(0xd83c3e);
  });

  it('two adds and a refresh at once are serialized; questions during them are answered', {
    timeout: 60_000,
  }, async () => {
    const { fake, dir } = await start();
    const att = (name: string, body: string) => fake.serveAttachment(name, 'text/plain', body);
    const adds = [
      kb(fake, 'add', {
        file: att(
          'a.txt',
          'Cleveland Police has been taken out of special measures, the inspectorate said.\n',
        ),
        title: 'Cleveland leaves',
        publisher: 'BBC News',
        published: '2024-05-02',
      }),
      kb(fake, 'add', {
        file: att('b.txt', 'Kent Police has been praised by inspectors for its call handling.\n'),
        title: 'Kent praised',
        publisher: 'BBC News',
        published: '2024-05-03',
      }),
      kb(fake, 'refresh'),
    ];
    const questions = Array.from({ length: 6 }, (_, i) =>
      fake.sendInteraction({
        type: 'command',
        name: 'status',
        options: { force: i % 2 ? 'cleveland' : 'west-midlands' },
        user: { id: `22000000000000010${i}` },
      }),
    );
    const handles = await Promise.all([...adds, ...questions]);
    const titles = await Promise.all(handles.slice(0, 3).map(async (h) => (await finalEmbed(h)).title));
    expect(titles).toEqual(['Article added', 'Article added', 'Knowledge base reloaded']);
    for (const h of handles.slice(3)) {
      const res = await h.waitForResponse();
      expect(res.type).toBe(4);
      expect(embedOf(res.message).title).toMatch(/Cleveland Police|West Midlands Police/);
    }
    expect(await articleNames(dir)).toHaveLength(4);
    const audit = (await readFile(path.join(dir, 'audit.log.jsonl'), 'utf8')).trim().split('\n');
    expect(audit.map((l) => JSON.parse(l).action).sort()).toEqual(['add', 'add', 'refresh']);
    const after = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'cleveland' },
    });
    expect(embedOf((await after.waitForResponse()).message).color).toBe(0x2e9d5b);
    expect(fake.failedRequests).toEqual([]);
  });
});

describe('the token', () => {
  it('never appears in logs or replies, through errors, rejected replies, failed refreshes and refusals', async () => {
    const boom: Command = {
      data: new SlashCommandBuilder().setName('boom').setDescription('throws'),
      async execute() {
        throw new Error('kaboom');
      },
    };
    // Replies too late: Discord refuses it (10062); the bot logs that, with no apology (it would fail too).
    const late: Command = {
      data: new SlashCommandBuilder().setName('late').setDescription('answers after 3 s'),
      async execute(interaction) {
        skewMs += 4000;
        await interaction.reply({ content: 'too late', flags: MessageFlags.Ephemeral });
      },
    };
    const { fake, dir } = await start({ extraCommands: [boom, late], logLevel: 'trace' });
    await (await fake.sendInteraction({ type: 'command', name: 'boom' })).waitForResponse();
    await fake.sendInteraction({ type: 'command', name: 'late' });
    await waitUntil(() => logs.some((l) => l.includes('could not answer: interaction gone')), 3000);
    await writeFile(path.join(dir, 'articles', 'oops.md'), 'broken');
    await finalEmbed(await kb(fake, 'refresh'));
    await finalEmbed(await kb(fake, 'remove', { article: 'no-such-article' }));
    await (await kb(fake, 'stats', {}, { user: USER })).waitForResponse();
    await fake.sendMessage({ content: 'is west midlands police in special measures?', mentionsBot: true });
    await fake.waitForChannelMessage(GENERAL);
    const logText = logs.join('');
    expect(logText).toMatch(/"level":50/); // errors were logged…
    expect(logText).toContain('kaboom');
    expect(logText).not.toContain(TOKEN); // …without the token
    expect(logText).not.toContain(TOKEN.split('.')[2]);
    for (const s of fake.sentMessages) expect(JSON.stringify(s.body)).not.toContain(TOKEN);
  });

  it('npm start with a wrong token and broken files: warns for each file, fails to connect, never prints the token', async () => {
    const { fake, dir } = await start();
    await bot?.stop();
    await writeFile(path.join(dir, 'articles', 'empty.md'), '');
    await writeFile(
      path.join(dir, 'articles', 'future.md'),
      '---\nid: future\ntitle: T\npublisher: P\npublished: 2999-01-01\n---\nT.\n',
    );
    const wrong = 'wrong.bot.token-SECRET-must-not-print';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/discord/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DISCORD_TOKEN: wrong,
        DISCORD_CLIENT_ID: fake.applicationId,
        DISCORD_API_BASE: fake.apiBase,
        KNOWLEDGE_DIR: dir,
        LOG_LEVEL: 'trace',
        INDEX_CACHE: 'off',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).not.toBe(0);
    expect(out).toMatch(/"level":40.*articles\/empty\.md/);
    expect(out).toMatch(/"level":40.*articles\/future\.md/);
    expect(out).toMatch(/cannot connect to Discord/);
    expect(out).not.toContain(wrong);
    expect(out).not.toContain('SECRET');
  }, 30_000);
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
