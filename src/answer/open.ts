import path from 'node:path';
import { knowledgeDir, type LoadedFolder, loadKnowledgeFolder, todayIso } from '../knowledge/load.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { type CacheLogger, cacheDir, knowledgeKey, readCache, writeCache } from './cache.js';
import { createEngine, type Engine } from './compose.js';
import { decodeEngine, encodeEngine } from './snapshot.js';

/** An engine together with what was wrong in the folder it was built from. */
export interface OpenedKnowledge {
  engine: Engine;
  loaded: LoadedFolder;
  /** Files left out (errors) and warnings; the engine answers from the valid articles. */
  issues: KnowledgeIssue[];
  /** `hit`: loaded from the index cache; `miss`: built (and the cache written); `off`: built, no cache. */
  cache?: 'hit' | 'miss' | 'off';
}

export interface OpenOptions {
  /**
   * The index cache: a folder, `true` for the default (`INDEX_CACHE_DIR`, else `<dir>/.cache`) or `false`
   * to always build. Default: `true` unless `INDEX_CACHE=off`.
   */
  cache?: boolean | string;
  /** Where cache problems are reported (default: a line on stderr). */
  log?: CacheLogger;
  today?: string;
  forcesFile?: string;
}

/**
 * Loads a knowledge folder and builds the engine from its valid articles. The one entry point the CLI
 * and the bot share, so both answer from exactly the same knowledge.
 *
 * @example const { engine } = await openKnowledge(); engine.answer('/forces')
 */
export async function openKnowledge(
  dir: string = knowledgeDir(),
  opts: OpenOptions = {},
): Promise<OpenedKnowledge> {
  const want = cacheLocation(dir, opts);
  if (want === false) {
    const loaded = await loadKnowledgeFolder(dir, opts);
    return {
      engine: createEngine(loaded.articles, loaded.forces),
      loaded,
      issues: loaded.issues,
      cache: 'off',
    };
  }
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const where = want;
  const today = opts.today ?? todayIso();
  const key = await knowledgeKey(dir, opts.forcesFile);
  const sections = await readCache(where, key, { log, today });
  if (sections) {
    try {
      const d = decodeEngine(sections);
      const loaded: LoadedFolder = { dir, articles: d.articles, forces: d.forces, issues: d.issues };
      return { engine: d.engine, loaded, issues: d.issues, cache: 'hit' };
    } catch (err) {
      log(`index cache in ${where} ignored (${(err as Error).message}); rebuilding`);
    }
  }
  const loaded = await loadKnowledgeFolder(dir, opts);
  const engine = createEngine(loaded.articles, loaded.forces);
  const futureDated = loaded.issues.some((i) => i.message.includes('is in the future'));
  await writeCache(where, key, encodeEngine(engine, loaded.issues, loaded.articles), {
    validOn: futureDated ? today : null,
  }).catch((err: Error) => log(`index cache not written to ${where}: ${err.message}`));
  return { engine, loaded, issues: loaded.issues, cache: 'miss' };
}

/** The cache folder `opts` ask for (`OpenOptions.cache`, else `INDEX_CACHE`), or false for no cache. */
export function cacheLocation(dir: string, opts: Pick<OpenOptions, 'cache'> = {}): string | false {
  const want = opts.cache ?? process.env.INDEX_CACHE?.trim().toLowerCase() !== 'off';
  if (want === false) return false;
  return typeof want === 'string' ? path.resolve(want) : cacheDir(dir);
}
