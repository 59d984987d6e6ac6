import { once } from 'node:events';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import type { Logger } from 'pino';
import type { KnowledgeHolder } from '../answer/holder.js';
import type { BotConfig } from '../config.js';
import type { FetchPageOptions } from '../ingest/fetch-page.js';
import { createGapStore } from '../ingest/gaps.js';
import { NO_MENTIONS } from '../render/discord.js';
import { AuditLog } from './audit.js';
import { type BotContext, type Command, loadCommands } from './commands.js';
import { type EventDeps, handleInteraction, handleMessage } from './events.js';
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
}

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
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    allowedMentions: NO_MENTIONS,
    ...(config.apiBase ? { rest: { api: config.apiBase } } : {}),
  });
  const deps: EventDeps = {
    ctx,
    commands,
    askChannelIds: new Set(config.askChannelIds),
    conversations: new ConversationStore(),
    busy: opts.busy ?? { messages: 3, windowMs: 2 * 60_000 },
  };

  client.on(Events.InteractionCreate, (interaction) => {
    handleInteraction(interaction, deps).catch((err) => logger.error({ err }, 'interaction handler crashed'));
  });
  client.on(Events.MessageCreate, (message) => {
    handleMessage(message, deps).catch((err) => logger.error({ err }, 'message handler crashed'));
  });
  client.once(Events.ClientReady, (c) => {
    logger.info(
      { user: c.user.tag, guilds: c.guilds.cache.size, commands: [...commands.keys()] },
      'connected to Discord',
    );
  });
  client.on(Events.Error, (err) => logger.error({ err }, 'discord.js error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord.js warning'));
  client.on(Events.ShardDisconnect, (event, shard) =>
    logger.warn({ code: event.code, shard }, 'gateway disconnected'),
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
