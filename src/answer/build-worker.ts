/**
 * Worker-thread entry of `buildEngineOffThread`: load → clean → segment → annotate → index → snapshot,
 * then post the sections back with their buffers transferred (no copy). Optionally reads the cache first
 * (an unchanged folder is not rebuilt) and writes it after a build.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadKnowledgeFolder, todayIso } from '../knowledge/load.js';
import { knowledgeKey, readCache, writeCache } from './cache.js';
import { createEngine } from './compose.js';
import { encodeEngine, type Section } from './snapshot.js';
import { lowerThreadPriority } from './thread-priority.js';

interface Job {
  dir: string;
  today?: string;
  forcesFile?: string;
  cacheDir?: string | null;
  reuseCache?: boolean;
  nice?: number;
}

const job = workerData as Job;
lowerThreadPriority(job.nice);
const logs: string[] = [];
const log = (m: string) => logs.push(m);
try {
  const today = job.today ?? todayIso();
  const key = job.cacheDir ? await knowledgeKey(job.dir, job.forcesFile) : null;
  let sections: Section[] | null = null;
  let cache: 'hit' | 'miss' | 'off' = 'off';
  if (job.cacheDir && key && job.reuseCache) sections = await readCache(job.cacheDir, key, { log, today });
  if (sections) cache = 'hit';
  else {
    const loaded = await loadKnowledgeFolder(job.dir, job);
    const engine = createEngine(loaded.articles, loaded.forces);
    sections = encodeEngine(engine, loaded.issues, loaded.articles);
    if (job.cacheDir && key) {
      cache = 'miss';
      const futureDated = loaded.issues.some((i) => i.message.includes('is in the future'));
      await writeCache(job.cacheDir, key, sections, { validOn: futureDated ? today : null }).catch(
        (err: Error) => log(`index cache not written to ${job.cacheDir}: ${err.message}`),
      );
    }
  }
  const buffers = [...new Set(sections.map((s) => s.bytes.buffer as ArrayBuffer))];
  parentPort?.postMessage({ ok: true, sections, cache, logs }, buffers);
} catch (err) {
  parentPort?.postMessage({ ok: false, error: (err as Error).message, name: (err as Error).name, logs });
}
