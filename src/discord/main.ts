import dotenv from 'dotenv';
import { KnowledgeHolder } from '../answer/holder.js';
import { formatIssue } from '../cli/issues.js';
import { ConfigError, describeConfig, loadConfig } from '../config.js';
import { createBot } from './client.js';
import { createLogger, scrubToken } from './logger.js';
import { knowledgeVersion, registerKnowledgeReload } from './shard-sync.js';

/**
 * `npm start`: reads .env, checks the settings, loads the knowledge folder, connects to Discord, and shuts
 * down cleanly on SIGINT/SIGTERM. Also the shard script of `npm run start:sharded` (./shard-manager.ts): the
 * ShardingManager starts it with SHARDING_MANAGER, SHARDS and SHARD_COUNT set, which discord.js's Client
 * reads; it then reloads its knowledge when another shard changes it (./shard-sync.ts) and stops when the
 * manager goes away.
 */
async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  const sharded = Boolean(process.env.SHARDING_MANAGER);
  // discord.js's Client reads SHARD_COUNT and SHARDS from the environment: that is how ShardingManager
  // tells a shard who it is. Outside a shard our SHARD_COUNT setting (for start:sharded) must not reach it:
  // an empty SHARD_COUNT= copied from .env.example would become shard count 0 and stop the bot.
  if (!sharded) {
    delete process.env.SHARD_COUNT;
    delete process.env.SHARDS;
  }
  const base = createLogger(config.logLevel);
  const logger = sharded ? base.child({ shard: Number(process.env.SHARDS) }) : base;
  logger.info({ config: describeConfig(config) }, 'starting');

  let holder: KnowledgeHolder;
  try {
    holder = await KnowledgeHolder.open(config.knowledgeDir);
  } catch (err) {
    logger.fatal(
      { err },
      `cannot load the knowledge folder ${config.knowledgeDir}: ${(err as Error).message}`,
    );
    return 1;
  }
  for (const issue of holder.issues) logger.warn({ issue }, formatIssue(issue));
  const summary = holder.summary();
  logger.info({ ...summary, version: await knowledgeVersion(holder.engine) }, 'knowledge loaded');

  const bot = await createBot({ config, holder, logger });
  registerKnowledgeReload(bot.client, holder, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    bot.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
        // A shard's IPC channel to the manager would keep the process alive.
        if (process.connected) process.disconnect();
      },
      (err) => {
        logger.error({ err }, 'error while stopping');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // The manager went away (killed without stopping us): stop too rather than run on orphaned.
  if (sharded && process.connected) process.once('disconnect', () => shutdown('manager disconnected'));
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));

  try {
    await bot.start();
  } catch (err) {
    const message = scrubToken((err as Error).message ?? String(err), config.token);
    const hint = /TokenInvalid|invalid token|401/i.test(message)
      ? ' — check DISCORD_TOKEN (Developer Portal → Bot → Reset Token)'
      : /disallowed intents|4014/i.test(message)
        ? ' — enable the Message Content intent (Developer Portal → Bot → Privileged Gateway Intents)'
        : '';
    logger.fatal(`cannot connect to Discord: ${message}${hint}`);
    await bot.stop();
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: Error) => {
    process.stderr.write(`error: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
