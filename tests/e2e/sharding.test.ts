/**
 * Sharding end to end: `src/discord/shard-manager.ts` (what `npm run start:sharded` runs) starts the real
 * discord.js ShardingManager in process mode, which forks two shard processes of the bot (src/discord/main.ts
 * under tsx) against the fake Discord. The fake recommends 2 shards and routes each guild's events to the
 * shard owning it, so a command in guild A is answered by shard 0's process and one in guild B by shard 1's.
 * A /kb change on one shard must reach the other through broadcastEval, and both must then report the same
 * knowledge version.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { APIEmbed } from 'discord-api-types/v10';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, snowflakeForShard, startFakeDiscord } from '../support/fake-discord.js';
import { type PageServer, startPageServer } from '../support/page-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KNOWLEDGE = path.join(ROOT, 'knowledge');
const TOKEN = 'fake.bot.token-never-logged';
const GUILD_A = snowflakeForShard(0, 2); // shard 0's
const GUILD_B = snowflakeForShard(1, 2); // shard 1's
const CHANNEL_A = '300000000000000002';
const CHANNEL_B = '300000000000000003';
const ROLE_A = '300000000000000040';
const ROLE_B = '300000000000000041';
const MODERATOR = '300000000000000021';
const CLEVELAND_ID = 'bbc-news-2024-05-02-cleveland-police-leaves-special-measures';

let fake: FakeDiscord | undefined;
let manager: ChildProcess | undefined;
let dir: string | undefined;
let pages: PageServer;

beforeAll(async () => {
  pages = await startPageServer();
});
afterAll(async () => {
  await pages.close();
});

afterEach(async () => {
  if (manager?.pid && groupAlive(manager.pid)) {
    process.kill(-manager.pid, 'SIGKILL');
    await waitUntil(() => !groupAlive(manager?.pid ?? 0), 5000).catch(() => {});
  }
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  manager = undefined;
  fake = undefined;
  dir = undefined;
});

/** Whether any process of the manager's process group (the manager and its shards) is still running. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  what: string | (() => string) = 'a condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const embedOf = (m: { embeds?: APIEmbed[] }): APIEmbed => {
  const e = m.embeds?.[0];
  if (!e) throw new Error(`no embed in ${JSON.stringify(m)}`);
  return e;
};

const guild = (id: string, channel: string, role: string) => ({
  id,
  name: `Guild ${id.slice(-4)}`,
  channels: [{ id: channel, name: 'general' }],
  roles: [{ id: role, name: 'Knowledge moderators' }],
  members: [
    { id: '300000000000000020', username: 'alice' },
    { id: MODERATOR, username: 'mo', roles: [role] },
  ],
});

async function startSharded(extraEnv: Record<string, string> = {}) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pib-shards-'));
  await cp(KNOWLEDGE, dir, {
    recursive: true,
    filter: (src) => !src.endsWith('.jsonl') && !src.includes(`${path.sep}.cache`),
  });
  fake = await startFakeDiscord({
    logUnknownRoutes: false,
    shards: 2,
    defaultTimeoutMs: 5000,
    guilds: [guild(GUILD_A, CHANNEL_A, ROLE_A), guild(GUILD_B, CHANNEL_B, ROLE_B)],
    defaultUser: { id: '300000000000000020', username: 'alice' },
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DISCORD_TOKEN: TOKEN,
    DISCORD_CLIENT_ID: fake.applicationId,
    DISCORD_API_BASE: fake.apiBase,
    MODERATOR_ROLE_IDS: `${ROLE_A},${ROLE_B}`,
    KNOWLEDGE_DIR: dir,
    LOG_LEVEL: 'info',
    SHARD_SPAWN_DELAY_MS: '0',
    INGEST_ALLOW_ADDRESSES: '127.0.0.1', // the page server, for /kb add url:
    ...extraEnv,
  };
  for (const k of ['SHARD_COUNT', 'SHARD_LIST', 'SHARDING_MANAGER', 'SHARDS', 'DISCORD_GUILD_ID'])
    if (!(k in extraEnv)) delete env[k];
  // detached: the manager leads a process group holding its shards, so cleanup can reach them all.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/discord/shard-manager.ts'], {
    env,
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  manager = child;
  const out = { text: '' };
  child.stdout?.on('data', (d) => {
    out.text += d;
  });
  child.stderr?.on('data', (d) => {
    out.text += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { fake, dir, child, out, exited };
}

async function stats(f: FakeDiscord, guildId: string): Promise<{ version: string; text: string }> {
  const h = await f.sendInteraction({
    type: 'command',
    name: 'kb',
    subcommand: 'stats',
    guildId,
    user: { id: MODERATOR },
  });
  const text = embedOf((await h.waitForResponse()).message ?? {}).description ?? '';
  const version = /\*\*Knowledge version:\*\* `([0-9a-f]{12})`/.exec(text)?.[1];
  if (!version) throw new Error(`no version in /kb stats: ${text}`);
  return { version, text };
}

/** The shard whose session received the interaction (the fake records it per dispatch). */
function shardThatGot(f: FakeDiscord, interactionId: string): number[] {
  return f.gatewayEvents
    .filter((e) => e.t === 'INTERACTION_CREATE' && (e.d as { id?: string }).id === interactionId)
    .map((e) => e.shard);
}

/** The Confirm button's custom id on a `/kb add url:` preview. */
function confirmButton(m: { components?: unknown }): string {
  for (const row of (m.components ?? []) as { components: Record<string, unknown>[] }[])
    for (const b of row.components) if (b.label === 'Confirm') return String(b.custom_id);
  throw new Error(`no Confirm button in ${JSON.stringify(m)}`);
}

async function status(f: FakeDiscord, guildId: string, force: string) {
  const h = await f.sendInteraction({ type: 'command', name: 'status', guildId, options: { force } });
  const res = await h.waitForResponse();
  return { embed: embedOf(res.message ?? {}), shards: shardThatGot(f, h.id), latencyMs: res.latencyMs };
}

describe('npm run start:sharded (ShardingManager, two shard processes)', () => {
  it('answers in each shard’s guild, and a /kb change on one shard reloads the other to the same version', async () => {
    const { fake, child, out, exited } = await startSharded();
    // The count came from GET /gateway/bot through DISCORD_API_BASE (the fake recommends 2).
    await fake.waitForShards(2, { timeoutMs: 20_000 });
    await waitUntil(
      () => out.text.includes('every shard is ready'),
      20_000,
      () => `both shards ready; output:\n${out.text}`,
    );
    expect(fake.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot')).toBe(true);
    expect(fake.shardSessions.map((s) => s.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);

    // Each guild's interaction goes to its own shard's process, which answers it.
    const a = await status(fake, GUILD_A, 'west-midlands');
    expect(a.shards).toEqual([0]);
    expect(a.embed.title).toContain('West Midlands Police');
    expect(a.latencyMs).toBeLessThan(3000);
    const b = await status(fake, GUILD_B, 'west-midlands');
    expect(b.shards).toEqual([1]);
    expect(b.embed.title).toContain('West Midlands Police');

    const before = [await stats(fake, GUILD_A), await stats(fake, GUILD_B)];
    expect(before[0]?.text).toContain('**Shard:** 0 of 2');
    expect(before[1]?.text).toContain('**Shard:** 1 of 2');
    expect(before[1]?.version).toBe(before[0]?.version);
    const clevelandBefore = await status(fake, GUILD_B, 'cleveland');
    expect(clevelandBefore.embed.color).not.toBe(0x2e9d5b); // not Scan yet

    // /kb add on shard 0 …
    const file = fake.serveAttachment({
      filename: 'cleveland.txt',
      contentType: 'text/plain; charset=utf-8',
      body: 'Cleveland Police has been taken out of special measures, the police inspectorate has said.\nThe force was praised by inspectors for improving how it answers emergency calls.\n',
    });
    const add = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      guildId: GUILD_A,
      user: { id: MODERATOR },
      options: {
        file,
        title: 'Cleveland Police leaves special measures',
        publisher: 'BBC News',
        published: '2024-05-02',
      },
    });
    expect(shardThatGot(fake, add.id)).toEqual([0]);
    const added = embedOf(await add.waitForOriginal(undefined, { timeoutMs: 15_000 }));
    expect(added.title).toBe('Article added');
    // … is reported once every shard has reloaded: the reply names the common version.
    const v2 = /all 2 \(0, 1\) answer from version `([0-9a-f]{12})`/.exec(added.description ?? '')?.[1];
    expect(v2, added.description).toBeDefined();
    expect(v2).not.toBe(before[0]?.version);

    // … and shard 1 answers from the new article.
    const clevelandAfter = await status(fake, GUILD_B, 'cleveland');
    expect(clevelandAfter.shards).toEqual([1]);
    expect(clevelandAfter.embed.color).toBe(0x2e9d5b);
    expect(clevelandAfter.embed.description).toContain('taken out of special measures');
    const after = [await stats(fake, GUILD_A), await stats(fake, GUILD_B)];
    expect(after.map((s) => s.version)).toEqual([v2, v2]);
    expect(after[1]?.text).toContain(`by <@${MODERATOR}>`); // shard 1's reload names who made the change

    // The other way round: /kb remove on shard 1 reaches shard 0.
    const remove = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'remove',
      guildId: GUILD_B,
      user: { id: MODERATOR },
      options: { article: CLEVELAND_ID },
    });
    const removed = embedOf(await remove.waitForOriginal(undefined, { timeoutMs: 15_000 }));
    expect(removed.title).toBe('Article removed');
    expect(removed.description).toContain(`answer from version \`${before[0]?.version}\``);
    const clevelandBack = await status(fake, GUILD_A, 'cleveland');
    expect(clevelandBack.shards).toEqual([0]);
    expect(clevelandBack.embed.color).toBe(clevelandBefore.embed.color);
    expect(clevelandBack.embed.description).not.toContain('taken out of special measures');
    expect((await stats(fake, GUILD_A)).version).toBe(before[0]?.version);

    // A link previewed and confirmed on shard 1 reaches shard 0 too.
    const preview = await fake.sendInteraction({
      type: 'command',
      name: 'kb',
      subcommand: 'add',
      guildId: GUILD_B,
      user: { id: MODERATOR },
      options: { url: pages.url('/pages/bbc-lincolnshire-engage.html') },
    });
    const previewed = await preview.waitForOriginal(undefined, { timeoutMs: 10_000 });
    const confirm = confirmButton(previewed);
    const press = await fake.sendInteraction({
      type: 'button',
      customId: confirm,
      user: { id: MODERATOR },
      channelId: CHANNEL_B,
    });
    expect(shardThatGot(fake, press.id)).toEqual([1]);
    const note = await press.waitForFollowUp(undefined, { timeoutMs: 15_000 });
    const v3 = /all 2 \(0, 1\) answer from version `([0-9a-f]{12})`/.exec(
      embedOf(note).description ?? '',
    )?.[1];
    expect(v3, JSON.stringify(note)).toBeDefined();
    expect(embedOf(press.original ?? {}).title).toBe('Article added');
    const lincs = await status(fake, GUILD_A, 'lincolnshire');
    expect(lincs.shards).toEqual([0]);
    expect(lincs.embed.color).toBe(0xd83c3e); // Engage, from the new article
    expect([(await stats(fake, GUILD_A)).version, (await stats(fake, GUILD_B)).version]).toEqual([v3, v3]);
    expect(out.text).not.toContain(TOKEN);

    // SIGTERM to the manager stops both shards (their gateway sessions close) and then the manager.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitUntil(() => fake.shardSessions.length === 0, 5000, 'the shards to disconnect');
    await waitUntil(() => !groupAlive(child.pid ?? 0), 5000, 'the shard processes to exit');
    expect(out.text).toContain('stopping every shard');
    if (process.env.SHOW_SHARD_LOGS) console.log(out.text);
  }, 45_000);

  it('refuses bad sharding settings with one message naming each', async () => {
    const { child, out, exited } = await startSharded({ SHARD_COUNT: 'two', SHARD_LIST: '0,0' });
    expect(await exited).toBe(78);
    expect(out.text).toMatch(/SHARD_COUNT must be a positive integer/);
    expect(out.text).toMatch(/SHARD_LIST lists a shard id twice/);
    expect(groupAlive(child.pid ?? 0)).toBe(false);
  });
});
