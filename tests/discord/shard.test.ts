/**
 * Sharding pieces without processes: the settings, the shard plan, the recommended count through the REST
 * base, the knowledge version, the reply line; and the fake Discord's shard routing with two real discord.js
 * clients in this process (`shards: [i], shardCount: 2`).
 */
import { once } from 'node:events';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Events, GatewayIntentBits, type Interaction, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import { ConfigError, loadShardConfig } from '../../src/config.js';
import { planShards, recommendedShardCount } from '../../src/discord/shard-manager.js';
import { knowledgeVersion, type ShardSyncResult, shardSyncLine } from '../../src/discord/shard-sync.js';
import { engineOf, KNOWLEDGE_DIR } from '../support/engine.js';
import { type FakeDiscord, snowflakeForShard, startFakeDiscord } from '../support/fake-discord.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const problems = (env: Record<string, string>): string[] => {
  try {
    loadShardConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('sharding settings', () => {
  it('reads SHARD_COUNT, SHARD_LIST and SHARD_SPAWN_DELAY_MS, defaulting to Discord’s count', () => {
    expect(loadShardConfig({})).toEqual({ shardCount: null, shardList: null, spawnDelayMs: 5500 });
    expect(loadShardConfig({ SHARD_COUNT: ' auto ', SHARD_LIST: '' }).shardCount).toBeNull();
    expect(loadShardConfig({ SHARD_COUNT: '4', SHARD_LIST: '2, 3', SHARD_SPAWN_DELAY_MS: '0' })).toEqual({
      shardCount: 4,
      shardList: [2, 3],
      spawnDelayMs: 0,
    });
  });

  it('names each bad setting', () => {
    expect(problems({ SHARD_COUNT: '0' })).toEqual([
      expect.stringMatching(/^SHARD_COUNT must be at least 1/),
    ]);
    expect(problems({ SHARD_COUNT: '2.5' })[0]).toMatch(/^SHARD_COUNT must be a positive integer/);
    expect(problems({ SHARD_LIST: '0,1' })[0]).toMatch(/^SHARD_LIST needs SHARD_COUNT/);
    expect(problems({ SHARD_COUNT: '2', SHARD_LIST: '1,2,3' })[0]).toMatch(
      /^SHARD_LIST has 2, 3: shard ids run from 0 to SHARD_COUNT − 1 \(1\)/,
    );
    expect(problems({ SHARD_COUNT: '2', SHARD_LIST: 'zero' })[0]).toMatch(/^SHARD_LIST must be shard ids/);
    expect(problems({ SHARD_COUNT: 'x', SHARD_SPAWN_DELAY_MS: '5s' }).map((p) => p.split(' ')[0])).toEqual([
      'SHARD_COUNT',
      'SHARD_SPAWN_DELAY_MS',
    ]);
  });

  it('plans every shard, or the listed ones', () => {
    expect(planShards({ shardCount: null, shardList: null, spawnDelayMs: 0 }, 3)).toEqual({
      totalShards: 3,
      shardList: [0, 1, 2],
    });
    expect(planShards({ shardCount: 4, shardList: [2, 3], spawnDelayMs: 0 }, null)).toEqual({
      totalShards: 4,
      shardList: [2, 3],
    });
  });
});

describe('recommended shard count', () => {
  it('asks GET /gateway/bot through the REST base, with the token', async () => {
    const fake = await startFakeDiscord({ shards: 3, token: 'a.b.c', logUnknownRoutes: false });
    cleanups.push(() => fake.close());
    expect(await recommendedShardCount('a.b.c', fake.apiBase)).toBe(3);
    const req = fake.requests.find((r) => r.path === '/gateway/bot');
    expect(req?.method).toBe('GET');
    await expect(recommendedShardCount('wrong.token.here', fake.apiBase)).rejects.toThrow(/401|Unauthorized/);
  });
});

describe('knowledge version', () => {
  it('is the same for engines built from the same files, cached or not, and changes with them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pib-version-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(KNOWLEDGE_DIR, dir, {
      recursive: true,
      filter: (src) => !src.endsWith('.jsonl') && !src.includes(`${path.sep}.cache`),
    });
    const log = () => {};
    const built = await openKnowledge(dir, { cache: false, log });
    const written = await openKnowledge(dir, { cache: true, log });
    const cached = await openKnowledge(dir, { cache: true, log });
    expect(cached.cache).toBe('hit');
    const v = await knowledgeVersion(built.engine);
    expect(v).toMatch(/^[0-9a-f]{12}$/);
    expect(await knowledgeVersion(written.engine)).toBe(v);
    expect(await knowledgeVersion(cached.engine)).toBe(v);
    expect(knowledgeVersion(built.engine)).toBe(knowledgeVersion(built.engine)); // memoised

    await writeFile(
      path.join(dir, 'articles', 'test-2024-01-01-kent.md'),
      '---\nid: test-2024-01-01-kent\ntitle: Kent Police praised\npublisher: Test Gazette\npublished: 2024-01-01\n---\nKent Police was praised by inspectors.\n',
    );
    expect(await knowledgeVersion((await openKnowledge(dir, { cache: false, log })).engine)).not.toBe(v);
  });

  it('depends on the text of the passages, not only on the article list', async () => {
    const a = engineOf({ id: 'a', published: '2024-01-01', body: 'Kent Police was praised.' });
    const b = engineOf({ id: 'a', published: '2024-01-01', body: 'Kent Police was criticised.' });
    const a2 = engineOf({ id: 'a', published: '2024-01-01', body: 'Kent Police was praised.' });
    expect(await knowledgeVersion(a)).not.toBe(await knowledgeVersion(b));
    expect(await knowledgeVersion(a)).toBe(await knowledgeVersion(a2));
  });
});

describe('the reply line after a change', () => {
  const report = (shards: number[], version: string, extra: object = {}) => ({
    shards,
    reloaded: true,
    ok: true,
    version,
    ...extra,
  });

  it('says every shard answers from the version, or which shard does not', () => {
    const all: ShardSyncResult = {
      version: 'abcdefabcdef',
      reports: [report([1], 'abcdefabcdef'), report([0], 'abcdefabcdef', { reloaded: false })],
      problem: null,
    };
    expect(shardSyncLine(all)).toBe('**Shards:** all 2 (0, 1) answer from version `abcdefabcdef`.');
    const behind: ShardSyncResult = {
      version: 'abcdefabcdef',
      reports: [
        report([0], 'abcdefabcdef'),
        report([1], '111111111111', { ok: false, error: 'articles/x_y.md: bad *date*' }),
      ],
      problem: null,
    };
    expect(shardSyncLine(behind)).toBe(
      '⚠️ **Shards:** this one answers from version `abcdefabcdef`.\nShard 1: reload failed — version `111111111111` (articles/x\\_y.md: bad \\*date\\*).',
    );
    expect(shardSyncLine({ version: 'abcdefabcdef', reports: [], problem: 'boom' })).toMatch(
      /boom; a shard that restarts loads the folder as it is\. Run \/kb refresh to retry\./,
    );
  });
});

describe('fake Discord with two shards (two discord.js clients in this process)', () => {
  async function connect(f: FakeDiscord, shard: number): Promise<Client> {
    const c = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: f.apiBase },
      shards: [shard],
      shardCount: 2,
    });
    cleanups.push(() => c.destroy());
    const ready = once(c, Events.ClientReady);
    await c.login('fake.token.x');
    await ready;
    return c;
  }

  it('gives each shard only its guilds and routes guild events to the owner, DMs to shard 0', async () => {
    const A = snowflakeForShard(0, 2);
    const B = snowflakeForShard(1, 2, 5);
    expect([Number((BigInt(A) >> 22n) % 2n), Number((BigInt(B) >> 22n) % 2n)]).toEqual([0, 1]);
    const fake = await startFakeDiscord({
      shards: 2,
      logUnknownRoutes: false,
      guilds: [
        { id: A, channels: [{ id: '400000000000000002', name: 'a' }] },
        { id: B, channels: [{ id: '400000000000000003', name: 'b' }] },
      ],
    });
    cleanups.push(() => fake.close());
    const [c0, c1] = [await connect(fake, 0), await connect(fake, 1)];
    await fake.waitForShards(2);
    expect([...c0.guilds.cache.keys()]).toEqual([A]);
    expect([...c1.guilds.cache.keys()]).toEqual([B]);

    const seen: string[] = [];
    for (const [i, c] of [c0, c1].entries()) {
      c.on(Events.InteractionCreate, (x: Interaction) => {
        seen.push(`${i}:interaction:${x.guildId}`);
        if (x.isChatInputCommand()) void x.reply({ content: `shard ${i}` });
      });
      c.on(Events.MessageCreate, (m: Message) => {
        if (!m.author.bot) seen.push(`${i}:message:${m.guildId}`);
      });
    }
    const hb = await fake.sendInteraction({ type: 'command', name: 'ping', guildId: B });
    expect((await hb.waitForResponse()).message?.content).toBe('shard 1');
    const ha = await fake.sendInteraction({ type: 'command', name: 'ping', guildId: A });
    expect((await ha.waitForResponse()).message?.content).toBe('shard 0');
    await fake.sendMessage({ guildId: B, channelId: '400000000000000003', content: 'hello' });
    const dm = await fake.sendInteraction({ type: 'command', name: 'ping', guildId: null });
    expect((await dm.waitForResponse()).message?.content).toBe('shard 0');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.sort()).toEqual(
      [`1:interaction:${B}`, `0:interaction:${A}`, `1:message:${B}`, '0:interaction:null'].sort(),
    );
    const res = await fetch(`${fake.apiBase}/v10/gateway/bot`, { headers: { Authorization: 'Bot x.y.z' } });
    expect(((await res.json()) as { shards: number }).shards).toBe(2);
  });

  it('closes an IDENTIFY with an impossible shard with 4010', async () => {
    const fake = await startFakeDiscord({ logUnknownRoutes: false });
    cleanups.push(() => fake.close());
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(fake.gatewayUrl);
    await once(ws, 'open');
    ws.send(JSON.stringify({ op: 2, d: { token: 'x', intents: 1, properties: {}, shard: [2, 2] } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4010);
    expect(fake.shardSessions).toEqual([]);
  });
});
