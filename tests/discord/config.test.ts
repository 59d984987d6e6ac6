import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const good = { DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: '123456789012345678' };

function problems(env: NodeJS.ProcessEnv, opts?: { for?: 'bot' | 'deploy' }): string[] {
  try {
    loadConfig(env, opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('reads a minimal .env with defaults', () => {
    const c = loadConfig(good);
    expect(c).toMatchObject({
      token: TOKEN,
      clientId: '123456789012345678',
      guildId: null,
      askChannelIds: [],
      moderatorRoleIds: [],
      apiBase: null,
      logLevel: 'info',
      knowledgeDir: path.resolve('knowledge'),
      auditLogPath: path.resolve('knowledge/audit.log.jsonl'),
      gapsPath: path.resolve('knowledge/gaps.jsonl'),
      ingestAllowAddresses: [],
      userRateLimit: 5,
      channelRateLimit: 20,
    });
    expect(describeConfig(c)).not.toHaveProperty('token');
  });

  it('reads the per-person and per-channel rate limits (questions per minute), refusing nonsense', () => {
    const c = loadConfig({ ...good, USER_RATE_LIMIT: ' 3 ', CHANNEL_RATE_LIMIT: '40' });
    expect(c).toMatchObject({ userRateLimit: 3, channelRateLimit: 40 });
    expect(loadConfig({ ...good, USER_RATE_LIMIT: '', CHANNEL_RATE_LIMIT: ' ' })).toMatchObject({
      userRateLimit: 5,
      channelRateLimit: 20,
    });
    const p = problems({ ...good, USER_RATE_LIMIT: 'lots', CHANNEL_RATE_LIMIT: '0' });
    expect(p).toHaveLength(2);
    expect(p.find((x) => x.startsWith('USER_RATE_LIMIT'))).toMatch(/whole number of questions per minute/);
    expect(p.find((x) => x.startsWith('CHANNEL_RATE_LIMIT'))).toMatch(
      /at least 1 — optional: questions one channel/,
    );
    expect(problems({ ...good, CHANNEL_RATE_LIMIT: '2.5' })[0]).toMatch(
      /^CHANNEL_RATE_LIMIT must be a whole/,
    );
  });

  it('parses lists, optional ids, the API base and the log level', () => {
    const c = loadConfig({
      ...good,
      DISCORD_GUILD_ID: ' 223456789012345678 ',
      ASK_CHANNEL_IDS: '323456789012345678, 423456789012345678',
      MODERATOR_ROLE_IDS: '523456789012345678',
      KNOWLEDGE_DIR: '/srv/kb',
      DISCORD_API_BASE: 'http://127.0.0.1:8080/api',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c.guildId).toBe('223456789012345678');
    expect(c.askChannelIds).toEqual(['323456789012345678', '423456789012345678']);
    expect(c.moderatorRoleIds).toEqual(['523456789012345678']);
    expect(c.auditLogPath).toBe('/srv/kb/audit.log.jsonl');
    expect(c.apiBase).toBe('http://127.0.0.1:8080/api');
    expect(c.logLevel).toBe('debug');
  });

  it('names every bad setting and how to get it', () => {
    const p = problems({
      DISCORD_CLIENT_ID: 'abc',
      ASK_CHANNEL_IDS: '1,2',
      DISCORD_API_BASE: 'ftp://x',
      LOG_LEVEL: 'loud',
    });
    expect(p).toHaveLength(5);
    expect(p[0]).toMatch(/^DISCORD_TOKEN is missing — .*Developer Portal.*Bot → Reset Token/);
    expect(p.find((x) => x.startsWith('DISCORD_CLIENT_ID'))).toMatch(/17 to 20 digits — .*Application ID/);
    expect(p.find((x) => x.startsWith('ASK_CHANNEL_IDS'))).toMatch(/Copy Channel ID/);
    expect(p.find((x) => x.startsWith('DISCORD_API_BASE'))).toMatch(/http\(s\) URL/);
    expect(p.find((x) => x.startsWith('LOG_LEVEL'))).toMatch(/one of fatal/);
    expect(problems({ ...good, DISCORD_TOKEN: `Bot ${TOKEN}` })[0]).toMatch(/without the "Bot " prefix/);
    expect(problems({ ...good, DISCORD_TOKEN: 'not a token' })[0]).toMatch(/does not look like a bot token/);
    expect(problems({ DISCORD_TOKEN: TOKEN, DISCORD_CLIENT_ID: '' })[0]).toMatch(
      /^DISCORD_CLIENT_ID is missing/,
    );
    // No line at all is just as missing as an empty one.
    expect(problems({ DISCORD_TOKEN: TOKEN })[0]).toMatch(/^DISCORD_CLIENT_ID is missing/);
  });

  it('the message never contains the token', () => {
    try {
      loadConfig({ DISCORD_TOKEN: `${TOKEN} extra`, DISCORD_CLIENT_ID: 'x' });
    } catch (err) {
      expect((err as Error).message).not.toContain(TOKEN);
      expect((err as Error).message).toMatch(/The bot cannot start: 2 settings need fixing/);
    }
  });

  it('reads GAPS_PATH and INGEST_ALLOW_ADDRESSES (IP addresses only)', () => {
    const c = loadConfig({ ...good, KNOWLEDGE_DIR: '/srv/kb', INGEST_ALLOW_ADDRESSES: '127.0.0.1, ::1' });
    expect(c.gapsPath).toBe('/srv/kb/gaps.jsonl');
    expect(c.ingestAllowAddresses).toEqual(['127.0.0.1', '::1']);
    expect(loadConfig({ ...good, GAPS_PATH: '/var/gaps.jsonl' }).gapsPath).toBe('/var/gaps.jsonl');
    expect(problems({ ...good, INGEST_ALLOW_ADDRESSES: 'localhost' })[0]).toMatch(
      /^INGEST_ALLOW_ADDRESSES must be IP addresses .*for tests only/,
    );
  });

  it('deploy needs only the token and the application id', () => {
    expect(problems({ ...good, ASK_CHANNEL_IDS: 'nonsense' }, { for: 'deploy' })).toEqual([]);
    expect(problems({ DISCORD_TOKEN: TOKEN }, { for: 'deploy' })).toHaveLength(1);
  });
});
