import { once } from 'node:events';
import {
  Client,
  type ClientOptions,
  Events,
  GatewayIntentBits,
  type Message,
  Partials,
  RESTEvents,
  type WebSocketOptions,
} from 'discord.js';
import type { Logger } from 'pino';
import type { KnowledgeHolder } from '../answer/holder.js';
import type { BotConfig } from '../config.js';
import type { FetchPageOptions } from '../ingest/fetch-page.js';
import { createGapStore } from '../ingest/gaps.js';
import { NO_MENTIONS } from '../render/discord.js';
import { AuditLog } from './audit.js';
import { type BotContext, type Command, loadCommands } from './commands.js';
import { handleGatewayGaps } from './compat.js';
import { type EventDeps, handleInteraction, handleMessage, RecentIds } from './events.js';
import { FeedbackStore } from './feedback.js';
import { PendingAdds } from './kb-add-url.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './limits.js';
import { ConversationStore } from './router.js';
import { DISCORD_ATTACHMENT_HOSTS } from './upload.js';

export interface BotOptions {
  config: BotConfig;
  holder: KnowledgeHolder;
  logger: Logger;
  /** Default: every module in commands/. */
  commands?: ReadonlyMap<string, Command>;
  rateLimit?: RateLimitOptions;
  busy?: { messages: number; windowMs: number };
  /** Extra fetch options for `/kb add url:` (tests: a resolver, onConnect), over the config's. */
  fetchOptions?: FetchPageOptions;
  /** How long to wait for READY. Default 30 s. */
  readyTimeoutMs?: number;
  /**
   * Gateway settings handed to discord.js. Tests use `identifyThrottler` to skip Discord's 5 s wait between
   * two IDENTIFYs of one shard; `waitGuildTimeoutMs` is how long READY waits for guilds that never come.
   */
  gateway?: { identifyThrottler?: WebSocketOptions['buildIdentifyThrottler']; waitGuildTimeoutMs?: number };
}

/**
 * How long discord.js waits, after READY, for the GUILD_CREATE of a guild listed as unavailable before it
 * calls the client ready anyway (its default is 15 s). Events that arrive meanwhile are queued, so a long
 * wait makes every interaction in the queue miss Discord's 3-second window; a guild that comes later is
 * added when its GUILD_CREATE arrives. The wait restarts with each guild that arrives.
 */
export const WAIT_GUILD_TIMEOUT_MS = 2000;

/** Why Discord closed a gateway connection for good (the codes discord.js does not reconnect after). */
const UNRECOVERABLE: Record<number, string> = {
  4004: 'the token was refused (DISCORD_TOKEN: Developer Portal → Bot → Reset Token)',
  4010: 'invalid shard (SHARD_COUNT / SHARD_LIST)',
  4011: 'sharding required (npm run start:sharded)',
  4012: 'invalid API version',
  4013: 'invalid intents',
  4014: 'disallowed intents (enable the Message Content intent: Developer Portal → Bot)',
};

/** The intents the bot asks for: servers, their messages (Message Content is privileged) and DMs. */
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

export interface Bot {
  client: Client;
  ctx: BotContext;
  /** Logs in and resolves once the gateway says READY. */
  start(): Promise<void>;
  /** Closes the gateway connection; safe to call twice. */
  stop(): Promise<void>;
}

/** Builds the discord.js client with the bot's handlers; nothing connects until `start()`. */
export async function createBot(opts: BotOptions): Promise<Bot> {
  const { config, holder, logger } = opts;
  const commands = opts.commands ?? (await loadCommands());
  const attachmentHosts = [...DISCORD_ATTACHMENT_HOSTS];
  if (config.apiBase) attachmentHosts.push(new URL(config.apiBase).host);
  const ctx: BotContext = {
    config,
    holder,
    audit: new AuditLog(config.auditLogPath),
    logger,
    limiter: new RateLimiter(
      opts.rateLimit ?? {
        ...DEFAULT_RATE_LIMIT,
        max: config.userRateLimit ?? DEFAULT_RATE_LIMIT.max,
        channelMax: config.channelRateLimit ?? DEFAULT_RATE_LIMIT.channelMax,
      },
    ),
    attachmentHosts,
    gaps: createGapStore(config.gapsPath),
    feedback: new FeedbackStore(),
    pendingAdds: new PendingAdds(),
    fetchOptions: {
      ...(config.ingestAllowAddresses.length ? { allowAddresses: config.ingestAllowAddresses } : {}),
      ...opts.fetchOptions,
    },
  };
  const clientOptions: ClientOptions = {
    intents: INTENTS,
    // DM channels are never in the cache, and neither are threads discord.js has not been told about:
    // without this, discord.js drops their messages.
    partials: [Partials.Channel],
    allowedMentions: NO_MENTIONS,
    waitGuildTimeout: opts.gateway?.waitGuildTimeoutMs ?? WAIT_GUILD_TIMEOUT_MS,
    ...(config.apiBase ? { rest: { api: config.apiBase } } : {}),
    ...(opts.gateway?.identifyThrottler
      ? { ws: { buildIdentifyThrottler: opts.gateway.identifyThrottler } }
      : {}),
  };
  const client = new Client(clientOptions);
  const deps: EventDeps = {
    ctx,
    commands,
    askChannelIds: new Set(config.askChannelIds),
    conversations: new ConversationStore(),
    busy: opts.busy ?? { messages: 3, windowMs: 2 * 60_000 },
    seenInteractions: new RecentIds(),
  };

  client.on(Events.InteractionCreate, (interaction) => {
    handleInteraction(interaction, deps).catch((err) => logger.error({ err }, 'interaction handler crashed'));
  });
  const onMessage = (message: Message) => {
    handleMessage(message, deps).catch((err) => logger.error({ err }, 'message handler crashed'));
  };
  client.on(Events.MessageCreate, onMessage);
  handleGatewayGaps(client, onMessage, logger);
  // Fires once per client: a resumed or re-identified gateway session is a ShardResume / ShardReady.
  client.once(Events.ClientReady, (c) => {
    logger.info(
      {
        user: c.user.tag,
        guilds: c.guilds.cache.size,
        unavailable: c.guilds.cache.filter((g) => !g.available).size,
        commands: [...commands.keys()],
      },
      'connected to Discord',
    );
  });
  client.on(Events.Error, (err) => logger.error({ err }, 'discord.js error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord.js warning'));
  client.on(Events.ShardError, (err, shard) => logger.warn({ err, shard }, 'gateway connection error'));
  // discord.js emits this only for close codes it will not reconnect after: the bot needs fixing and a restart.
  client.on(Events.ShardDisconnect, (event, shard) =>
    logger.error(
      { code: event.code, shard },
      `gateway closed for good, not reconnecting: ${UNRECOVERABLE[event.code] ?? 'see the close code'}; restart the bot`,
    ),
  );
  client.on(Events.ShardReconnecting, (shard) => logger.info({ shard }, 'gateway reconnecting'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'gateway resumed'));
  client.on(Events.ShardReady, (shard, unavailable) => {
    if (client.isReady())
      logger.info({ shard, unavailable: unavailable?.size ?? 0 }, 'gateway session started again');
  });
  client.on(Events.GuildCreate, (g) => logger.info({ guild: g.id }, 'joined a server'));
  client.on(Events.GuildUnavailable, (g) => logger.warn({ guild: g.id }, 'server unavailable (outage)'));
  client.on(Events.GuildAvailable, (g) => logger.info({ guild: g.id }, 'server available again'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    logger.warn(
      { route: info.route, method: info.method, retryAfter: info.retryAfter, global: info.global },
      'Discord rate limit: waiting before retrying',
    ),
  );

  let stopped = false;
  return {
    client,
    ctx,
    async start() {
      const ready = once(client, Events.ClientReady, {
        signal: AbortSignal.timeout(opts.readyTimeoutMs ?? 30_000),
      });
      await client.login(config.token);
      await ready;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await client.destroy();
      // Questions recorded as gaps just before the stop are written before we report stopped.
      await ctx.gaps.flush();
    },
  };
}
