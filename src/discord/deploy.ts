import { pathToFileURL } from 'node:url';
import { REST, Routes } from 'discord.js';
import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../config.js';
import { type Command, loadCommands } from './commands.js';
import { scrubToken } from './logger.js';

export interface DeployOptions {
  token: string;
  clientId: string;
  /** Register in this server only (instant); null = globally (may take up to an hour to show). */
  guildId: string | null;
  /** REST base, e.g. a proxy or a test server; null = Discord. */
  apiBase: string | null;
  commands?: ReadonlyMap<string, Command>;
}

export interface DeployResult {
  scope: 'guild' | 'global';
  names: string[];
}

/** Replaces the application's commands with the ones in commands/ (one bulk PUT). */
export async function deployCommands(opts: DeployOptions): Promise<DeployResult> {
  const commands = opts.commands ?? (await loadCommands());
  const body = [...commands.values()].map((c) => c.data.toJSON());
  const rest = new REST(opts.apiBase ? { api: opts.apiBase } : {}).setToken(opts.token);
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.clientId, opts.guildId)
    : Routes.applicationCommands(opts.clientId);
  const registered = (await rest.put(route, { body })) as { name: string }[];
  return { scope: opts.guildId ? 'guild' : 'global', names: registered.map((c) => c.name) };
}

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { for: 'deploy' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  try {
    const result = await deployCommands(config);
    process.stdout.write(
      `Registered ${result.names.length} commands ${result.scope === 'guild' ? `in server ${config.guildId} (available now)` : 'globally (they can take up to an hour to appear)'}: ${result.names.map((n) => `/${n}`).join(', ')}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(
      `Could not register the commands: ${scrubToken((err as Error).message, config.token)}\n`,
    );
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
