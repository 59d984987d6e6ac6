/**
 * Worker-thread entry of `buildEngineOffThread`: load → clean → segment → annotate → index → snapshot,
 * then post the sections back with their buffers transferred (no copy). Optionally writes the cache too.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadKnowledgeFolder, todayIso } from '../knowledge/load.js';
import { knowledgeKey, writeCache } from './cache.js';
import { createEngine } from './compose.js';
import { encodeEngine } from './snapshot.js';

interface Job {
  dir: string;
  today?: string;
  forcesFile?: string;
  cacheDir?: string | null;
}

const job = workerData as Job;
try {
  const loaded = await loadKnowledgeFolder(job.dir, job);
  const engine = createEngine(loaded.articles, loaded.forces);
  const sections = encodeEngine(engine, loaded.issues, loaded.articles);
  let cacheError: string | null = null;
  if (job.cacheDir) {
    const today = job.today ?? todayIso();
    const futureDated = loaded.issues.some((i) => i.message.includes('is in the future'));
    await writeCache(job.cacheDir, await knowledgeKey(job.dir, job.forcesFile), sections, {
      validOn: futureDated ? today : null,
    }).catch((err: Error) => {
      cacheError = err.message;
    });
  }
  const buffers = [...new Set(sections.map((s) => s.bytes.buffer as ArrayBuffer))];
  parentPort?.postMessage({ ok: true, sections, cacheError }, buffers);
} catch (err) {
  parentPort?.postMessage({ ok: false, error: (err as Error).message, name: (err as Error).name });
}
