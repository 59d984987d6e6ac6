/**
 * Issue 6 end to end: `/kb add url:` (preview, Confirm, Cancel, Set date, refusals), the 👍 / 👎 buttons
 * and `/kb gaps`, with the real discord.js client against the fake Discord and the saved pages served by
 * tests/support/page-server.ts — both on 127.0.0.1. Each test gets a temp copy of the knowledge folder.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { APIEmbed } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeHolder } from '../../src/answer/holder.js';
import type { BotConfig } from '../../src/config.js';
import { type Bot, createBot } from '../../src/discord/client.js';
import { type Command, loadCommands } from '../../src/discord/commands.js';
import { createLogger } from '../../src/discord/logger.js';
import { readGaps } from '../../src/ingest/gaps.js';
import { type FakeDiscord, type FakeMessage, startFakeDiscord } from '../support/fake-discord.js';
import { type PageServer, startPageServer } from '../support/page-server.js';

const GUILD = '300000000000000001';
const GENERAL = '300000000000000002';
const ASK = '300000000000000003';
const MOD_ROLE = '300000000000000040';
const USER = '300000000000000020';
const MODERATOR = '300000000000000021';
const OTHER_MOD = '300000000000000022';
const KNOWLEDGE = path.resolve(import.meta.dirname, '../../knowledge');

let commands: Map<string, Command>;
let pages: PageServer;
let fake: FakeDiscord | undefined;
let bot: Bot | undefined;
let dir: string | undefined;
/** Every address the bot connected to for `/kb add url:`. */
let connections: string[];

beforeAll(async () => {
  commands = await loadCommands();
  pages = await startPageServer();
});
afterAll(async () => {
  await pages.close();
});
afterEach(async () => {
  await bot?.stop();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  bot = undefined;
  fake = undefined;
  dir = undefined;
});

async function start(): Promise<{ fake: FakeDiscord; dir: string }> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-ingest-'));
  await cp(KNOWLEDGE, dir, { recursive: true, filter: (src) => !src.endsWith('.jsonl') });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    guilds: [
      {
        id: GUILD,
        channels: [
          { id: GENERAL, name: 'general' },
          { id: ASK, name: 'ask-the-bot' },
        ],
        roles: [{ id: MOD_ROLE, name: 'Knowledge moderators' }],
        members: [
          { id: USER, username: 'alice' },
          { id: MODERATOR, username: 'mo', roles: [MOD_ROLE] },
          { id: OTHER_MOD, username: 'max', roles: [MOD_ROLE] },
        ],
      },
    ],
    defaultUser: { id: USER, username: 'alice' },
  });
  const config: BotConfig = {
    token: 'fake.bot.token',
    clientId: fake.applicationId,
    guildId: GUILD,
    askChannelIds: [ASK],
    moderatorRoleIds: [MOD_ROLE],
    knowledgeDir: dir,
    auditLogPath: path.join(dir, 'audit.log.jsonl'),
    gapsPath: path.join(dir, 'gaps.jsonl'),
    // What INGEST_ALLOW_ADDRESSES=127.0.0.1 gives: the page server is on loopback.
    ingestAllowAddresses: ['127.0.0.1'],
    apiBase: fake.apiBase,
    logLevel: 'silent',
  };
  connections = [];
  bot = await createBot({
    config,
    holder: await KnowledgeHolder.open(dir, { cache: false }),
    logger: createLogger('silent', new Writable({ write: (_c, _e, done) => done() })),
    commands,
    rateLimit: { max: 100, windowMs: 60_000 },
    busy: { messages: 100, windowMs: 60_000 },
    fetchOptions: { onConnect: (_url, address) => connections.push(address) },
  });
  await bot.start();
  return { fake, dir };
}

const embedOf = (m: { embeds?: APIEmbed[] }): APIEmbed => {
  const e = m.embeds?.[0];
  if (!e) throw new Error(`no embed in ${JSON.stringify(m)}`);
  return e;
};
const textOf = (e: APIEmbed): string =>
  [e.title, e.description, ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text].join('\n');

/** The custom ids of a message's buttons, by label (or emoji). */
function buttons(m: { components?: unknown }): Record<string, { id: string; disabled: boolean }> {
  const out: Record<string, { id: string; disabled: boolean }> = {};
  for (const row of (m.components ?? []) as { components: Record<string, unknown>[] }[])
    for (const b of row.components) {
      const label = (b.label as string | undefined) ?? (b.emoji as { name: string } | undefined)?.name ?? '?';
      out[label] = { id: String(b.custom_id), disabled: b.disabled === true };
    }
  return out;
}

async function addUrl(f: FakeDiscord, link: string, user = MODERATOR, extra: Record<string, string> = {}) {
  const h = await f.sendInteraction({
    type: 'command',
    name: 'kb',
    subcommand: 'add',
    user: { id: user },
    options: { url: link, ...extra },
  });
  const res = await h.waitForResponse();
  expect(res).toMatchObject({ type: 5, ephemeral: true });
  return h.waitForOriginal(undefined, { timeoutMs: 5000 });
}

async function press(f: FakeDiscord, customId: string, user = MODERATOR) {
  const h = await f.sendInteraction({ type: 'button', customId, user: { id: user }, channelId: GENERAL });
  return { h, res: await h.waitForResponse() };
}

const articleFiles = async (d: string) => (await readdir(path.join(d, 'articles'))).sort();

describe('/kb add url:', () => {
  it('previews a page, and Confirm writes it, refreshes, and answers from it', async () => {
    const { fake, dir } = await start();
    const before = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'lincolnshire' },
    });
    expect(embedOf((await before.waitForResponse()).message ?? {}).color).toBe(0x99aab5);

    const preview = await addUrl(fake, pages.url('/pages/bbc-lincolnshire-engage.html'));
    const e = embedOf(preview);
    expect(e.title).toBe('Preview — not saved yet');
    expect(e.description).toContain('**Lincolnshire Police placed in special measures by inspectors**');
    expect(e.description).toMatch(/BBC News · 2024-06-14/);
    expect(e.description).toMatch(/\*\*First passages\*\* \(\d+ in all\):\n> /);
    expect(e.description).toMatch(/\*\*Forces found:\*\* Lincolnshire Police \(\d+\)/);
    expect(e.description).toMatch(/Lincolnshire Police: unknown .*→ Engage .*\(2024-06-14\)/);
    const b = buttons(preview);
    expect(Object.keys(b)).toEqual(['Confirm', 'Fix date or title', 'Cancel']);
    expect(b.Confirm?.disabled).toBe(false);
    expect(await articleFiles(dir)).toHaveLength(2); // nothing written yet

    const { h, res } = await press(fake, b.Confirm?.id ?? '');
    expect(res.type).toBe(7);
    const done = embedOf(
      await h.waitForOriginal((m) => m.embeds?.[0]?.title !== undefined, { timeoutMs: 5000 }),
    );
    expect(done.title).toBe('Article added');
    expect(done.description).toMatch(/\*\*Learned:\*\* \d+ passages about Lincolnshire Police/);
    expect(done.description).toMatch(/Lincolnshire Police: unknown .*→ Engage/);
    const files = await articleFiles(dir);
    expect(files).toContain('bbc-news-2024-06-14-lincolnshire-police-placed-special-measures-inspectors.md');
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);

    const after = await fake.sendInteraction({
      type: 'command',
      name: 'status',
      options: { force: 'lincolnshire' },
    });
    const ae = embedOf((await after.waitForResponse()).message ?? {});
    expect(ae.color).toBe(0xd83c3e);
    expect(textOf(ae)).toContain('BBC News, 2024-06-14');
    expect(new Set(connections)).toEqual(new Set(['127.0.0.1']));
    const audit = (await readFile(path.join(dir, 'audit.log.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(audit.at(-1) ?? '{}')).toMatchObject({ action: 'add', ok: true, userId: MODERATOR });

    // The preview is used up: pressing again says so, ephemerally.
    const again = await press(fake, b.Confirm?.id ?? '');
    expect(again.res.ephemeral).toBe(true);
    expect(embedOf(again.res.message ?? {}).description).toMatch(/expired .* or was already handled/);
  });

  it('Cancel discards the preview and writes nothing', async () => {
    const { fake, dir } = await start();
    const preview = await addUrl(fake, pages.url('/pages/wire-met-response.html'));
    const { res } = await press(fake, buttons(preview).Cancel?.id ?? '');
    expect(res.type).toBe(7);
    expect(embedOf(res.message ?? {}).description).toBe('Cancelled — nothing was saved.');
    expect(res.message?.components).toEqual([]);
    expect(await articleFiles(dir)).toHaveLength(2);
  });

  it('refuses a private address, even behind a redirect, without connecting to it', async () => {
    const { fake, dir } = await start();
    const viaRedirect = embedOf(await addUrl(fake, pages.url('/to-private')));
    expect(viaRedirect.title).toBe('Not added');
    expect(viaRedirect.description).toContain('refused: 10.0.0.1 is a private address');
    const direct = embedOf(await addUrl(fake, 'http://10.0.0.1/story.html'));
    expect(direct.description).toContain('refused: 10.0.0.1 is a private address');
    expect(connections.every((a) => a === '127.0.0.1')).toBe(true);
    const paywall = embedOf(await addUrl(fake, pages.url('/pages/paywalled-times.html')));
    expect(paywall.description).toMatch(/paywall/);
    const index = embedOf(await addUrl(fake, pages.url('/pages/index-police-news.html')));
    expect(index.description).toMatch(/not one article|does not look like a news article/);
    const missing = embedOf(await addUrl(fake, pages.url('/nope')));
    expect(missing.description).toMatch(/HTTP 404/);
    expect(await articleFiles(dir)).toHaveLength(2);
  });

  it('only the moderator who asked may press the buttons; others are refused ephemerally', async () => {
    const { fake, dir } = await start();
    const preview = await addUrl(fake, pages.url('/pages/bbc-lincolnshire-engage.html'));
    const confirm = buttons(preview).Confirm?.id ?? '';
    for (const who of [USER, OTHER_MOD]) {
      const { res } = await press(fake, confirm, who);
      expect(res.type).toBe(4);
      expect(res.ephemeral).toBe(true);
      expect(embedOf(res.message ?? {}).description).toMatch(/Only the moderator who asked/);
    }
    expect(await articleFiles(dir)).toHaveLength(2);
    // Still pending for the moderator who asked.
    const mine = await press(fake, confirm);
    expect(mine.res.type).toBe(7);
    await mine.h.waitForOriginal((m) => m.embeds?.[0]?.title === 'Article added', { timeoutMs: 5000 });
    expect(await articleFiles(dir)).toHaveLength(3);
  });

  it('a page with no date: Confirm is disabled until the Set date modal gives one', async () => {
    const { fake, dir } = await start();
    const preview = await addUrl(fake, pages.url('/pages/no-date-kent-blog.html'));
    const e = embedOf(preview);
    expect(e.description).toContain('**no date**');
    expect(e.description).toMatch(/⛔ no publication date found/);
    const b = buttons(preview);
    expect(b.Confirm?.disabled).toBe(true);
    const id = b['Set date']?.id.split(':').at(-1);

    const { res } = await press(fake, b['Set date']?.id ?? '');
    expect(res.type).toBe(9);
    expect(JSON.stringify(res.modal?.components)).toContain('"custom_id":"published"');

    const bad = await fake.sendInteraction({
      type: 'modal',
      customId: `kb:add:fix:${id}`,
      user: { id: MODERATOR },
      fields: { published: '2099-01-01' },
    });
    const badRes = await bad.waitForResponse();
    expect(embedOf(badRes.message ?? {}).description).toMatch(/Not changed: 2099-01-01 is in the future/);

    const good = await fake.sendInteraction({
      type: 'modal',
      customId: `kb:add:fix:${id}`,
      user: { id: MODERATOR },
      fields: { published: '1 March 2024' },
    });
    const goodRes = await good.waitForResponse();
    expect(goodRes.ephemeral).toBe(true);
    const fixed = goodRes.message ?? {};
    expect(embedOf(fixed).description).toMatch(/Medway Voice · 2024-03-01/);
    expect(embedOf(fixed).description).not.toContain('no publication date');
    expect(buttons(fixed).Confirm?.disabled).toBe(false);

    const saved = await press(fake, buttons(fixed).Confirm?.id ?? '');
    await saved.h.waitForOriginal((m) => m.embeds?.[0]?.title === 'Article added', { timeoutMs: 5000 });
    const file = (await articleFiles(dir)).find((f) => f.startsWith('medway-voice-2024-03-01-'));
    expect(file).toBeDefined();
    expect(await readFile(path.join(dir, 'articles', file ?? ''), 'utf8')).toMatch(
      /\npublished: 2024-03-01\n/,
    );
  });
});

describe('coverage gaps', () => {
  it('answers carry 👍 / 👎; a press replies ephemerally, posts nothing, and 👎 records the question', async () => {
    const { fake, dir } = await start();
    const question = 'what did Wendy Williams say about Wiltshire?';
    const a = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question } });
    const answer = (await a.waitForResponse()).message ?? {};
    const b = buttons(answer);
    expect(Object.keys(b)).toEqual(['👍', '👎']);

    const posted = fake.sentMessages.filter((m) => !m.ephemeral).length;
    const down = await press(fake, b['👎']?.id ?? '', USER);
    expect(down.res).toMatchObject({ type: 4, ephemeral: true });
    expect(embedOf(down.res.message ?? {}).description).toMatch(/^Thanks — noted/);
    const up = await press(fake, b['👍']?.id ?? '', OTHER_MOD);
    expect(up.res).toMatchObject({ type: 4, ephemeral: true });
    expect(fake.sentMessages.filter((m) => !m.ephemeral)).toHaveLength(posted);

    await press(fake, b['👎']?.id ?? '', USER); // the same person again counts once
    const gaps = await bot?.ctx.gaps.read();
    expect(gaps).toEqual([
      expect.objectContaining({ kind: 'unhelpful', question, channel: GENERAL, force: 'wiltshire' }),
    ]);
    const raw = await readFile(path.join(dir, 'gaps.jsonl'), 'utf8');
    for (const id of [USER, MODERATOR, OTHER_MOD]) expect(raw).not.toContain(id);

    // An abstention has no buttons (nothing to rate) but is recorded.
    const none = await fake.sendInteraction({
      type: 'command',
      name: 'ask',
      options: { question: 'what is the weather like on mars?' },
    });
    expect((await none.waitForResponse()).message?.components ?? []).toEqual([]);
  });

  it('/kb gaps groups the questions the bot could not answer, by force and by words', async () => {
    const { fake, dir } = await start();
    for (const question of [
      'who is the chief constable of Kent Police?',
      'Who is the Chief Constable of Kent Police',
      'how many officers does kent police have?',
    ]) {
      const h = await fake.sendInteraction({ type: 'command', name: 'ask', options: { question } });
      await h.waitForResponse();
    }
    await fake.sendMessage({
      channelId: GENERAL,
      content: 'what is the weather like on mars?',
      mentionsBot: true,
    });
    await fake.waitForChannelMessage(GENERAL);
    await fake.sendMessage({ channelId: ASK, content: 'is anyone going to the match tonight?' });
    await new Promise((r) => setTimeout(r, 100));

    const denied = await fake.sendInteraction({ type: 'command', name: 'kb', subcommand: 'gaps' });
    expect(embedOf((await denied.waitForResponse()).message ?? {}).description).toMatch(/Only moderators/);

    const h = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'gaps',
      user: { id: MODERATOR },
    });
    const e = embedOf(await h.waitForOriginal());
    expect(e.title).toBe('Coverage gaps — what to add articles about');
    expect(e.description).toMatch(/^5 recorded: 5 questions not answered, 0 answers marked 👎\./);
    const byForce = e.fields?.find((f) => f.name === 'By force')?.value ?? '';
    expect(byForce).toMatch(/^\*\*Kent Police\*\* · 3 \(3 unanswered\)/);
    const byWords = e.fields?.find((f) => f.name === 'By words')?.value ?? '';
    expect(byWords.split('\n')[0]).toMatch(/ · 2 \(2 unanswered\) — e\.g\. “.*chief constable/i);
    expect(textOf(e).length).toBeLessThanOrEqual(6000);

    const entries = await readGaps(path.join(dir, 'gaps.jsonl'));
    expect(entries.map((g) => g.channel)).toEqual([GENERAL, GENERAL, GENERAL, GENERAL, ASK]);
    expect(entries.every((g) => g.kind === 'abstained')).toBe(true);
    const messages: FakeMessage[] = fake.channelMessages(ASK).filter((m) => m.author.id === fake?.botUser.id);
    expect(messages).toHaveLength(0); // quiet in the listed channel, but recorded
  });
});
