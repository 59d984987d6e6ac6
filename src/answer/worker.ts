import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { knowledgeDir, type LoadedFolder } from '../knowledge/load.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { type CacheLogger, cacheDir } from './cache.js';
import type { Engine } from './compose.js';
import { decodeEngineAsync, type Section } from './snapshot.js';
import { buildNice } from './thread-priority.js';

export interface OffThreadOptions {
  /** The index cache: a folder, `true` for the default location, `false` (default) none. */
  cache?: boolean | string;
  /**
   * With a cache: load it instead of building when it is valid for the folder as it is now (what a
   * refresh of an unchanged folder does). Default false: always build, then write the cache.
   */
  reuseCache?: boolean;
  /** Where cache problems are reported (default: a line on stderr). */
  log?: CacheLogger;
  today?: string;
  forcesFile?: string;
  /** Niceness of the worker thread on Linux (0 = as the caller); default `INDEX_BUILD_NICE`, else 10. */
  nice?: number;
  /** Decoder slice length on the calling thread (default 4 ms). */
  sliceMs?: number;
  /** Called with `built` when the worker's result arrives and `decoded` when the engine is ready (bench). */
  trace?: (event: 'built' | 'decoded') => void;
}

export interface OffThreadBuild {
  engine: Engine;
  /** Files left out (errors) and warnings, as `openKnowledge` reports them. */
  issues: KnowledgeIssue[];
  /** The folder as loaded (same shape as `openKnowledge().loaded`). */
  loaded: LoadedFolder;
  /** `hit`: loaded from the cache; `miss`: built and the cache written (or tried); `off`: built, no cache. */
  cache: 'hit' | 'miss' | 'off';
}

type WorkerMessage =
  | { ok: true; sections: Section[]; cache: 'hit' | 'miss' | 'off'; logs: string[] }
  | { ok: false; error: string; logs: string[] };

/**
 * Builds an engine for a knowledge folder on a worker thread (at a lower scheduling priority on Linux: `nice`)
 * and resolves with it. The result's buffers are transferred back without copying; the calling thread only
 * decodes them, in slices of a few milliseconds with pauses between them, so it keeps answering from the
 * engine it already has. Swap the result in with one assignment when it resolves.
 *
 * Works from `tsx` (npm scripts) and from vitest: a TypeScript worker is started with tsx's loader.
 * Rejects when the folder cannot be loaded (the old engine stays in service).
 *
 * @example holder.engine = (await buildEngineOffThread(dir)).engine
 */
export async function buildEngineOffThread(
  dir: string = knowledgeDir(),
  opts: OffThreadOptions = {},
): Promise<OffThreadBuild> {
  const nice = opts.nice ?? buildNice();
  const entry = new URL(`./build-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  // A TypeScript entry needs tsx's loader inside the worker; registering it from a small bootstrap works
  // whether the parent runs under the tsx CLI or under vitest (execArgv flags alone do not reach it in time).
  // The bootstrap lowers the thread's priority first, so even loading the code does not compete with answers.
  const bootstrap = entry.pathname.endsWith('.ts')
    ? `${niceSnippet(nice)} import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`
    : null;
  const cache = opts.cache ?? false;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const worker = new Worker(bootstrap ?? entry, {
    eval: bootstrap !== null,
    workerData: {
      dir,
      today: opts.today,
      forcesFile: opts.forcesFile,
      cacheDir: cache === false ? null : typeof cache === 'string' ? path.resolve(cache) : cacheDir(dir),
      reuseCache: opts.reuseCache ?? false,
      nice,
    },
  });
  let message: WorkerMessage;
  try {
    message = await new Promise<WorkerMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`index build worker exited with code ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
  for (const line of message.logs) log(line);
  if (!message.ok) throw new Error(message.error);
  opts.trace?.('built');
  const decoded = await decodeEngineAsync(message.sections, { sliceMs: opts.sliceMs });
  opts.trace?.('decoded');
  const loaded: LoadedFolder = {
    dir,
    articles: decoded.articles,
    forces: decoded.forces,
    issues: decoded.issues,
  };
  return { engine: decoded.engine, issues: decoded.issues, loaded, cache: message.cache };
}

/** `lowerThreadPriority` (thread-priority.ts) for the eval'd bootstrap, before any module is loaded. */
const niceSnippet = (nice: number) =>
  nice > 0
    ? `try { const t = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()); if (t > 0 && t !== process.pid) require('node:os').setPriority(t, ${Math.trunc(nice)}); } catch {}`
    : '';

/** tsx's ESM registration API, as a file URL. */
function tsxApi(): string {
  const root = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(path.join(root, 'dist/esm/api/index.mjs')).href;
}
