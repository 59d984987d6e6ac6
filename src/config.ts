import path from 'node:path';
import { z } from 'zod';

/** The bot's settings, read from the environment (`.env` via dotenv) and checked before anything starts. */
export interface BotConfig {
  token: string;
  clientId: string;
  /** Register commands in this server only (instant), instead of globally. */
  guildId: string | null;
  /** Channels where every question-like message is answered (not only mentions). */
  askChannelIds: string[];
  /** Roles whose members may use /kb (besides members with Manage Server). */
  moderatorRoleIds: string[];
  knowledgeDir: string;
  auditLogPath: string;
  /** Coverage gaps (questions not answered, answers marked unhelpful), JSON lines. */
  gapsPath: string;
  /**
   * Addresses `/kb add url:` may fetch from although they are not public (loopback, private). Empty: public
   * addresses only. For tests and local development.
   */
  ingestAllowAddresses: string[];
  /** REST base URL for discord.js (`rest.api`), e.g. a REST proxy or a test server; null = Discord. */
  apiBase: string | null;
  logLevel: LogLevel;
  /** Questions one person may ask per minute (USER_RATE_LIMIT, default 5). */
  userRateLimit?: number;
  /** Questions one channel (everyone together) may ask per minute (CHANNEL_RATE_LIMIT, default 20). */
  channelRateLimit?: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What each setting is and where to get it: the text shown when it is missing or malformed. */
export const SETTING_HELP: Record<string, string> = {
  DISCORD_TOKEN:
    'the bot token: Developer Portal (https://discord.com/developers/applications) → your application → Bot → Reset Token',
  DISCORD_CLIENT_ID:
    'the application id (a number like 123456789012345678): Developer Portal → your application → General Information → Application ID',
  DISCORD_GUILD_ID:
    'optional: a server id to register the commands in that server only (Discord: Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID)',
  ASK_CHANNEL_IDS:
    'optional: comma-separated channel ids where every question is answered (Developer Mode, right-click a channel → Copy Channel ID)',
  MODERATOR_ROLE_IDS:
    'optional: comma-separated role ids allowed to use /kb besides Manage Server (Server Settings → Roles → right-click a role → Copy Role ID)',
  KNOWLEDGE_DIR: 'optional: the knowledge folder (forces.json and articles/); default ./knowledge',
  AUDIT_LOG_PATH:
    'optional: where /kb changes are logged (JSON lines); default <KNOWLEDGE_DIR>/audit.log.jsonl',
  GAPS_PATH:
    'optional: where unanswered questions and 👎 answers are recorded (JSON lines); default <KNOWLEDGE_DIR>/gaps.jsonl',
  INGEST_ALLOW_ADDRESSES:
    'optional, for tests only: comma-separated IP addresses /kb add url: may fetch although they are not public, e.g. 127.0.0.1; leave empty',
  DISCORD_API_BASE:
    'optional: REST base URL handed to discord.js as rest.api, e.g. http://localhost:8080/api for a REST proxy; leave unset for Discord itself',
  LOG_LEVEL: `optional: one of ${LOG_LEVELS.join(', ')}; default info`,
  USER_RATE_LIMIT:
    'optional: questions one person may ask per minute (slash commands and messages); default 5',
  CHANNEL_RATE_LIMIT:
    'optional: questions one channel may ask per minute, everyone together (threads count for their channel); default 20',
  SHARD_COUNT:
    'optional, npm run start:sharded: the total number of shards across every process and host (a positive integer); unset or "auto" asks Discord (GET /gateway/bot) for its recommendation',
  SHARD_LIST:
    'optional, npm run start:sharded: the shard ids this host runs, comma-separated (e.g. 0,1), each below SHARD_COUNT; needs SHARD_COUNT; default all shards',
  SHARD_SPAWN_DELAY_MS:
    'optional, npm run start:sharded: milliseconds between starting two shards (Discord allows one IDENTIFY per 5 s per bucket); default 5500',
};

const SNOWFLAKE = /^\d{17,20}$/;
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const snowflake = z
  .string({ error: 'is missing' })
  .trim()
  .regex(SNOWFLAKE, { error: 'must be a Discord id: 17 to 20 digits' });
const snowflakeList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(SNOWFLAKE, { error: 'must be Discord ids (17 to 20 digits) separated by commas' }),
      ),
    ),
);

/** A positive whole number of questions per minute, or the default when unset. */
const perMinute = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+$/, { error: 'must be a whole number of questions per minute, e.g. 20' })
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, { error: 'must be at least 1' })
          .max(100_000, { error: 'must be at most 100000' }),
      )
      .default(fallback),
  );

const envSchema = z.object({
  DISCORD_TOKEN: z
    .string({ error: 'is missing' })
    .trim()
    .min(1, { error: 'is empty' })
    .refine((t) => !/^bot\s/i.test(t), { error: 'must be the token alone, without the "Bot " prefix' })
    .refine((t) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(t), {
      error: 'does not look like a bot token (three parts separated by dots)',
    }),
  DISCORD_CLIENT_ID: z.preprocess(blankToUndefined, snowflake),
  DISCORD_GUILD_ID: z.preprocess(blankToUndefined, snowflake.optional()),
  ASK_CHANNEL_IDS: snowflakeList,
  MODERATOR_ROLE_IDS: snowflakeList,
  KNOWLEDGE_DIR: z.preprocess(blankToUndefined, z.string().optional()),
  AUDIT_LOG_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  GAPS_PATH: z.preprocess(blankToUndefined, z.string().optional()),
  INGEST_ALLOW_ADDRESSES: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((s) =>
        (s ?? '')
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6()], { error: 'must be IP addresses separated by commas' }))),
  ),
  DISCORD_API_BASE: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://localhost:8080/api' })
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  USER_RATE_LIMIT: perMinute(5),
  CHANNEL_RATE_LIMIT: perMinute(20),
});

/** `npm run start:sharded`: how many shards, which of them this host runs, how fast to start them. */
export interface ShardConfig {
  /** The total shard count; null = Discord's recommendation (GET /gateway/bot). */
  shardCount: number | null;
  /** The shard ids this host runs; null = all of them. */
  shardList: number[] | null;
  spawnDelayMs: number;
}

const wholeNumber = (error: string) =>
  z.preprocess(blankToUndefined, z.string().trim().regex(/^\d+$/, { error }).transform(Number).optional());

const shardEnvSchema = z
  .object({
    SHARD_COUNT: z.preprocess(
      (v) => (typeof v === 'string' && /^\s*(?:auto)?\s*$/i.test(v) ? undefined : v),
      z
        .string()
        .trim()
        .regex(/^\d+$/, {
          error: 'must be a positive integer (or unset / "auto" for Discord\'s recommendation)',
        })
        .transform(Number)
        .pipe(z.number().int().min(1, { error: 'must be at least 1' }))
        .optional(),
    ),
    SHARD_LIST: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^\s*\d+(?:\s*,\s*\d+)*\s*$/, { error: 'must be shard ids separated by commas, e.g. 0,1' })
        .transform((s) => s.split(',').map((x) => Number(x.trim())))
        .refine((ids) => new Set(ids).size === ids.length, { error: 'lists a shard id twice' })
        .optional(),
    ),
    SHARD_SPAWN_DELAY_MS: wholeNumber('must be a whole number of milliseconds, e.g. 5500'),
  })
  .superRefine((e, ctx) => {
    // zod runs this even when a field failed: look only at values that parsed.
    if (!Array.isArray(e.SHARD_LIST)) return;
    if (e.SHARD_COUNT === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHARD_LIST'],
        message: 'needs SHARD_COUNT (every host must agree on the total)',
      });
      return;
    }
    const count = e.SHARD_COUNT;
    if (typeof count !== 'number') return;
    const bad = e.SHARD_LIST.filter((id) => id >= count);
    if (bad.length)
      ctx.addIssue({
        code: 'custom',
        path: ['SHARD_LIST'],
        message: `has ${bad.join(', ')}: shard ids run from 0 to SHARD_COUNT − 1 (${count - 1})`,
      });
  });

/**
 * Validates the sharding settings of `npm run start:sharded` (the bot's own settings are checked with
 * `loadConfig`).
 *
 * @throws ConfigError naming every bad setting
 * @example loadShardConfig({ SHARD_COUNT: '4', SHARD_LIST: '0,1' }) // { shardCount: 4, shardList: [0, 1], … }
 */
export function loadShardConfig(env: NodeJS.ProcessEnv): ShardConfig {
  const parsed = shardEnvSchema.safeParse(pick(env, ['SHARD_COUNT', 'SHARD_LIST', 'SHARD_SPAWN_DELAY_MS']));
  if (!parsed.success) {
    const bySetting = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      if (!bySetting.has(key)) bySetting.set(key, issue.message);
    }
    throw new ConfigError(
      [...bySetting].map(([key, message]) => `${key} ${message} — ${SETTING_HELP[key] ?? ''}`),
    );
  }
  const e = parsed.data;
  return {
    shardCount: e.SHARD_COUNT ?? null,
    shardList: e.SHARD_LIST ?? null,
    spawnDelayMs: e.SHARD_SPAWN_DELAY_MS ?? 5500,
  };
}

/** One problem per setting, naming it and saying how to get it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `The bot cannot start: ${problems.length === 1 ? 'a setting needs' : `${problems.length} settings need`} fixing in .env (see .env.example):\n${problems.map((p) => `  • ${p}`).join('\n')}`,
    );
  }
}

/**
 * Validates the bot's settings. `deploy` needs only the token, the application id and the optional server
 * id and API base; the other settings are then ignored.
 *
 * @throws ConfigError naming every bad setting and how to get it
 * @example loadConfig(process.env).askChannelIds
 */
export function loadConfig(env: NodeJS.ProcessEnv, opts: { for?: 'bot' | 'deploy' } = {}): BotConfig {
  const input = opts.for === 'deploy' ? pick(env, DEPLOY_SETTINGS) : env;
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const bySetting = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      if (!bySetting.has(key)) bySetting.set(key, issue.message);
    }
    throw new ConfigError(
      [...bySetting].map(([key, message]) => `${key} ${message} — ${SETTING_HELP[key] ?? ''}`),
    );
  }
  const e = parsed.data;
  const knowledgeDir = path.resolve(e.KNOWLEDGE_DIR ?? 'knowledge');
  return {
    token: e.DISCORD_TOKEN,
    clientId: e.DISCORD_CLIENT_ID,
    guildId: e.DISCORD_GUILD_ID ?? null,
    askChannelIds: e.ASK_CHANNEL_IDS,
    moderatorRoleIds: e.MODERATOR_ROLE_IDS,
    knowledgeDir,
    auditLogPath: path.resolve(e.AUDIT_LOG_PATH ?? path.join(knowledgeDir, 'audit.log.jsonl')),
    gapsPath: path.resolve(e.GAPS_PATH ?? path.join(knowledgeDir, 'gaps.jsonl')),
    ingestAllowAddresses: e.INGEST_ALLOW_ADDRESSES,
    apiBase: e.DISCORD_API_BASE ?? null,
    logLevel: e.LOG_LEVEL,
    userRateLimit: e.USER_RATE_LIMIT,
    channelRateLimit: e.CHANNEL_RATE_LIMIT,
  };
}

const DEPLOY_SETTINGS = [
  'DISCORD_TOKEN',
  'DISCORD_CLIENT_ID',
  'DISCORD_GUILD_ID',
  'DISCORD_API_BASE',
  'LOG_LEVEL',
];

function pick(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.map((k) => [k, env[k]]));
}

/** The settings safe to log: everything but the token. */
export function describeConfig(c: BotConfig): Omit<BotConfig, 'token'> {
  const { token: _token, ...rest } = c;
  return rest;
}
