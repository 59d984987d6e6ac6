import type { ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REST, type RESTGetAPIGatewayBotResult, Routes, ShardingManager } from 'discord.js';
import dotenv from 'dotenv';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, loadShardConfig, type ShardConfig } from '../config.js';
import { createLogger, scrubToken } from './logger.js';

/**
 * `npm run start:sharded`: runs the bot under discord.js's ShardingManager, one process per shard, each the
 * same entry as `npm start` (./main.ts) run through tsx. The shard count is SHARD_COUNT, or what Discord
 * recommends (`GET /gateway/bot`, asked through DISCORD_API_BASE when set — the manager's own `'auto'` would
 * ask discord.com whatever the REST base); SHARD_LIST picks the shards this host runs. SIGINT/SIGTERM stop
 * every shard (each closes its gateway connection) and then the manager.
 */

/** The bot entry each shard process runs. */
export const SHARD_SCRIPT = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Node options of each shard process: tsx's loader, so it runs the TypeScript directly. */
export function shardExecArgv(): string[] {
  return ['--import', import.meta.resolve('tsx')];
}

/** The shard count Discord recommends for this bot (`GET /gateway/bot`), through `apiBase` when set. */
export async function recommendedShardCount(token: string, apiBase: string | null): Promise<number> {
  const rest = new REST(apiBase ? { api: apiBase } : {}).setToken(token);
  const body = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
  if (!Number.isInteger(body.shards) || body.shards < 1)
    throw new Error(`GET /gateway/bot answered shards: ${JSON.stringify(body.shards)}`);
  return body.shards;
}

export interface ShardPlan {
  totalShards: number;
  shardList: number[];
}

/** Which shards to run: SHARD_LIST (checked against the count) or all of them. */
export function planShards(config: ShardConfig, recommended: number | null): ShardPlan {
  const totalShards = config.shardCount ?? recommended;
  if (totalShards === null) throw new Error('no shard count: set SHARD_COUNT');
  return { totalShards, shardList: config.shardList ?? [...Array(totalShards).keys()] };
}

/** Kills every shard process (SIGTERM: each stops cleanly), waits for them, SIGKILLs any left after `graceMs`. */
export async function stopShards(manager: ShardingManager, graceMs = 10_000): Promise<void> {
  manager.respawn = false;
  const children: ChildProcess[] = [];
  for (const shard of manager.shards.values()) {
    if (shard.process) children.push(shard.process);
    shard.kill();
  }
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
          }, graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
}

function watch(manager: ShardingManager, logger: Logger, stopping: () => boolean): void {
  manager.on('shardCreate', (shard) => {
    logger.info({ shard: shard.id }, 'shard process started');
    shard.on('ready', () => logger.info({ shard: shard.id }, 'shard ready'));
    shard.on('death', (child) => {
      if (stopping()) return;
      const code = 'exitCode' in child ? child.exitCode : null;
      logger.warn(
        { shard: shard.id, code, respawn: manager.respawn },
        'shard process exited; it is started again',
      );
    });
    shard.on('error', (err) => logger.error({ err, shard: shard.id }, 'shard error'));
  });
}

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  // The bot's settings are checked here too: one clear message, instead of every shard failing alike.
  const problems: string[] = [];
  let config: ReturnType<typeof loadConfig> | undefined;
  let shardConfig: ShardConfig | undefined;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  try {
    shardConfig = loadShardConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!config || !shardConfig) {
    process.stderr.write(`${new ConfigError(problems).message}\n`);
    return 78; // EX_CONFIG
  }
  const logger = createLogger(config.logLevel).child({ manager: true });

  let recommended: number | null = null;
  if (shardConfig.shardCount === null) {
    try {
      recommended = await recommendedShardCount(config.token, config.apiBase);
    } catch (err) {
      const message = scrubToken((err as Error).message ?? String(err), config.token);
      logger.fatal(
        `cannot ask Discord for the recommended shard count: ${message}${/401|Unauthorized/i.test(message) ? ' — check DISCORD_TOKEN' : ''}; or set SHARD_COUNT`,
      );
      return 1;
    }
  }
  const plan = planShards(shardConfig, recommended);
  logger.info(
    { ...plan, source: shardConfig.shardCount === null ? 'discord' : 'SHARD_COUNT' },
    'starting shards',
  );

  const manager = new ShardingManager(SHARD_SCRIPT, {
    totalShards: plan.totalShards,
    shardList: plan.shardList,
    mode: 'process',
    respawn: true,
    token: config.token,
    execArgv: shardExecArgv(),
  });
  let stopping = false;
  watch(manager, logger, () => stopping);

  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping every shard');
    await stopShards(manager);
    logger.info('stopped');
    logger.flush();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));

  try {
    await manager.spawn({ amount: plan.totalShards, delay: shardConfig.spawnDelayMs, timeout: 60_000 });
  } catch (err) {
    if (stopping) return 0;
    logger.fatal(
      { err },
      `a shard did not start: ${scrubToken((err as Error).message, config.token)} (see its log lines above)`,
    );
    await shutdown('a shard did not start', 1);
    return 1;
  }
  logger.info({ shards: plan.shardList }, 'every shard is ready');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (err: Error) => {
      process.stderr.write(`error: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
