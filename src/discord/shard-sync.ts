import { createHash, randomUUID } from 'node:crypto';
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { Engine } from '../answer/compose.js';
import type { KnowledgeHolder } from '../answer/holder.js';
import { escapeMarkdown } from '../render/discord.js';

/**
 * Keeping every shard on the same knowledge. Under the ShardingManager each shard is its own process with
 * its own engine; after a `/kb` change on one shard, `broadcastKnowledgeReload` asks every other shard to
 * reload the (shared) knowledge folder, through `client.shard.broadcastEval`. broadcastEval sends the
 * function's source text to each shard, where it runs inside discord.js with only the client at hand, so the
 * reload itself is a hook stored on each shard's client under a global symbol (`registerKnowledgeReload`).
 * `knowledgeVersion` names the knowledge an engine answers from, so shards (and moderators, in `/kb stats`)
 * can see they agree.
 */

/** The client property holding the reload hook. The broadcast function spells it out: keep both equal. */
export const RELOAD_HOOK = 'police-inspections-bot/reload-knowledge';

/** What the originating shard sends to every shard. */
export interface ReloadRequest {
  /** The shard ids of the process that made the change: it has reloaded already. */
  from: number[];
  /** The moderator who made the change (shown as the refresh's author in `/kb stats`). */
  by: string | null;
  /** The version the originating shard answers from now. */
  version: string;
  /** Makes each broadcast's script text unique (discord.js matches replies to requests by that text). */
  nonce: string;
}

/** One shard process's answer. */
export interface ShardReloadReport {
  shards: number[];
  /** Whether it answers from new knowledge now (false for the origin, which had already). */
  reloaded: boolean;
  ok: boolean;
  /** The version it answers from after the reload (or the failed reload). */
  version: string;
  /** Why the reload failed: the first error, with its file. */
  error?: string;
}

export interface ShardSyncResult {
  /** The originating shard's version. */
  version: string;
  reports: ShardReloadReport[];
  /** Set when the broadcast itself failed or timed out: some shards may not have answered. */
  problem: string | null;
}

type ReloadHook = (request: ReloadRequest) => Promise<ShardReloadReport>;

const versions = new WeakMap<Engine, Promise<string>>();

/**
 * A short content version of the knowledge an engine answers from: a SHA-256 (first 12 hex digits) of every
 * article's metadata and passages (text and forces) in article-id order, and of the gazetteer. Engines built
 * from the same files have the same version, whichever process built them and whether or not they came from
 * the index cache. Memoised per engine; hashes in slices, yielding between them, so a big base does not stall
 * answers.
 */
export function knowledgeVersion(engine: Engine): Promise<string> {
  let v = versions.get(engine);
  if (!v) {
    v = computeVersion(engine);
    versions.set(engine, v);
  }
  return v;
}

const SLICE = 20_000;

async function computeVersion(engine: Engine): Promise<string> {
  const h = createHash('sha256');
  const { kb } = engine;
  for (const f of kb.gazetteer.forces) h.update(`${JSON.stringify([f.slug, f.name, f.aliases])}\n`);
  const ids = [...kb.articles.keys()].sort();
  let done = 0;
  for (const id of ids) {
    const m = kb.articles.get(id);
    h.update(`\u0001${JSON.stringify([id, m?.title, m?.publisher, m?.published, m?.url ?? null])}\n`);
    for (const p of kb.byArticle.get(id) ?? []) {
      h.update(`${p.text}\u0000${p.forces.join(',')}\n`);
      if (++done % SLICE === 0) await new Promise((r) => setImmediate(r));
    }
  }
  return h.digest('hex').slice(0, 12);
}

/** The shard ids this process runs (under the ShardingManager), or null when it is not sharded. */
export function shardIdsOf(client: Client): number[] | null {
  return client.shard ? [...client.shard.ids] : null;
}

/**
 * Stores this shard's reload hook on its client: a broadcast from another shard reloads the holder from the
 * folder; the originating shard just reports its version. Also computes the current version in the
 * background, so `/kb stats` has it at once.
 */
export function registerKnowledgeReload(client: Client, holder: KnowledgeHolder, logger: Logger): void {
  const hook: ReloadHook = async (request) => {
    const shards = shardIdsOf(client) ?? [0];
    if (request.from.some((id) => shards.includes(id))) {
      return { shards, reloaded: false, ok: true, version: await knowledgeVersion(holder.engine) };
    }
    const result = await holder.refresh(request.by);
    const version = await knowledgeVersion(holder.engine);
    if (!result.ok) {
      const first = result.errors[0];
      const error = first ? `${first.file}: ${first.message}` : 'the folder could not be loaded';
      logger.error(
        { from: request.from, errors: result.errors },
        'knowledge reload from another shard failed',
      );
      return { shards, reloaded: false, ok: false, version, error };
    }
    logger.info(
      { from: request.from, version, expected: request.version, ...result.summary },
      'knowledge reloaded for another shard',
    );
    return { shards, reloaded: true, ok: true, version };
  };
  (client as unknown as Record<string, ReloadHook>)[RELOAD_HOOK] = hook;
  void knowledgeVersion(holder.engine);
}

/**
 * After a successful `/kb` change on this shard: makes every other shard reload the knowledge folder, and
 * waits (at most `timeoutMs`) for each to say which version it answers from. Null when the bot is not
 * sharded (one process: nothing to tell).
 */
export async function broadcastKnowledgeReload(
  client: Client,
  holder: KnowledgeHolder,
  opts: { by?: string | null; timeoutMs?: number; logger?: Logger } = {},
): Promise<ShardSyncResult | null> {
  // Computed even when not sharded: `/kb stats` then shows it at once.
  const version = await knowledgeVersion(holder.engine);
  const util = client.shard;
  if (!util) return null;
  const request: ReloadRequest = { from: [...util.ids], by: opts.by ?? null, version, nonce: randomUUID() };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const reports = await Promise.race([
      // Runs in every shard's process, from its source text: no imports or closures, only `c` and `ctx`.
      util.broadcastEval(
        (c, ctx) => {
          const hook = (c as unknown as Record<string, ReloadHook | undefined>)[
            'police-inspections-bot/reload-knowledge'
          ];
          return hook ? hook(ctx as ReloadRequest) : null;
        },
        { context: request },
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not every shard answered within ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
      }),
    ]);
    const valid = (reports as (ShardReloadReport | null)[]).filter((r): r is ShardReloadReport => r !== null);
    const missing = reports.length - valid.length;
    const result: ShardSyncResult = {
      version,
      reports: valid,
      problem: missing ? `${missing} shard process(es) had no reload hook (still starting?)` : null,
    };
    opts.logger?.info({ version, reports: valid, problem: result.problem }, 'knowledge reload broadcast');
    return result;
  } catch (err) {
    const problem = (err as Error).message;
    opts.logger?.error({ err, version }, 'knowledge reload broadcast failed');
    return { version, reports: [], problem };
  } finally {
    clearTimeout(timer);
  }
}

/** A line for the moderator's reply: whether every shard now answers from the same version. */
export function shardSyncLine(sync: ShardSyncResult): string {
  const all = sync.reports.flatMap((r) => r.shards).sort((a, b) => a - b);
  const behind = sync.reports.filter((r) => !r.ok || r.version !== sync.version);
  if (!sync.problem && behind.length === 0)
    return `**Shards:** all ${all.length} (${all.join(', ')}) answer from version \`${sync.version}\`.`;
  const lines = [`⚠️ **Shards:** this one answers from version \`${sync.version}\`.`];
  for (const r of behind)
    lines.push(
      `Shard ${r.shards.join(', ')}: ${r.ok ? 'reloaded' : 'reload failed'} — version \`${r.version}\`${r.error ? ` (${escapeMarkdown(r.error)})` : ''}.`,
    );
  if (sync.problem)
    lines.push(`${sync.problem}; a shard that restarts loads the folder as it is. Run /kb refresh to retry.`);
  return lines.join('\n');
}
