import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { knowledgeDir, type LoadedFolder } from '../knowledge/load.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { cacheDir } from './cache.js';
import type { Engine } from './compose.js';
import { decodeEngineAsync, type Section } from './snapshot.js';

export interface OffThreadOptions {
  /** Also write the index cache: a folder, `true` for the default location, `false` (default) not. */
  cache?: boolean | string;
  today?: string;
  forcesFile?: string;
}

export interface OffThreadBuild {
  engine: Engine;
  /** Files left out (errors) and warnings, as `openKnowledge` reports them. */
  issues: KnowledgeIssue[];
  /** The folder as loaded (same shape as `openKnowledge().loaded`). */
  loaded: LoadedFolder;
  /** Why the cache could not be written, when asked to write it. */
  cacheError: string | null;
}

/**
 * Builds an engine for a knowledge folder on a worker thread and resolves with it; the calling thread only
 * decodes the result, in slices of a few milliseconds (it yields between them), so it keeps answering
 * from the engine it already has. Swap the result in with one assignment when it resolves.
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
  const entry = new URL(`./build-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  // A TypeScript entry needs tsx's loader inside the worker; registering it from a small bootstrap works
  // whether the parent runs under the tsx CLI or under vitest (execArgv flags alone do not reach it in time).
  const bootstrap = entry.pathname.endsWith('.ts')
    ? `import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`
    : null;
  const cache = opts.cache ?? false;
  const worker = new Worker(bootstrap ?? entry, {
    eval: bootstrap !== null,
    workerData: {
      dir,
      today: opts.today,
      forcesFile: opts.forcesFile,
      cacheDir: cache === false ? null : typeof cache === 'string' ? cache : cacheDir(dir),
    },
  });
  const message = await new Promise<
    { ok: true; sections: Section[]; cacheError: string | null } | { ok: false; error: string }
  >((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`index build worker exited with code ${code}`)));
  });
  await worker.terminate();
  if (!message.ok) throw new Error(message.error);
  const decoded = await decodeEngineAsync(message.sections);
  const loaded: LoadedFolder = {
    dir,
    articles: decoded.articles,
    forces: decoded.forces,
    issues: decoded.issues,
  };
  return { engine: decoded.engine, issues: decoded.issues, loaded, cacheError: message.cacheError };
}

/** tsx's ESM registration API, as a file URL. */
function tsxApi(): string {
  const root = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(path.join(root, 'dist/esm/api/index.mjs')).href;
}
