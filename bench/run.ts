/**
 * `npm run bench [-- --passages N] [--json]`: generates a synthetic knowledge base (default 100,000
 * passages), then measures cold build, cached start (in a fresh process), memory, answer latency over a fixed
 * question mix beside raw MiniSearch (default options) on the same passages, and answer latency while a
 * full refresh is built on a worker thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import MiniSearch from 'minisearch';
import { knowledgeKey, writeCache } from '../src/answer/cache.js';
import { createEngine, type Engine } from '../src/answer/compose.js';
import { encodeEngine } from '../src/answer/snapshot.js';
import { buildEngineOffThread } from '../src/answer/worker.js';
import { loadKnowledgeFolder } from '../src/knowledge/load.js';
import { generateKnowledge } from './generate.js';
import { QUESTIONS } from './questions.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function percentiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1) ?? 0, n: s.length };
}

const INTERVAL_MS = 10;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const mb = (b: number) => round(b / 1048576, 0);

async function main() {
  const passages = Number(option('--passages') ?? 100_000);
  const rounds = Number(option('--rounds') ?? 20);
  /** Raw MiniSearch takes up to a second or two a question on common words; 0 skips it (e.g. at 1M). */
  const rawRounds = Number(option('--raw-rounds') ?? 3);
  const json = flag('--json');
  const say = (s: string) => {
    if (!json) process.stderr.write(`${s}\n`);
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'pib-bench-'));
  try {
    say(`generating ~${passages} passages in ${dir} …`);
    const gen = await generateKnowledge(dir, passages);

    say('cold build …');
    let t = performance.now();
    const loaded = await loadKnowledgeFolder(dir);
    const loadMs = performance.now() - t;
    t = performance.now();
    let engine: Engine = createEngine(loaded.articles, loaded.forces);
    const buildMs = performance.now() - t;
    global.gc?.();
    const mem = process.memoryUsage();

    say('writing cache …');
    const cacheDir = path.join(dir, '.cache');
    t = performance.now();
    const cacheFile = await writeCache(
      cacheDir,
      await knowledgeKey(dir),
      encodeEngine(engine, loaded.issues, loaded.articles),
    );
    const cacheWriteMs = performance.now() - t;
    const { size: cacheBytes } = await import('node:fs/promises').then((fs) => fs.stat(cacheFile));

    say('cached start in a fresh process …');
    const child = fileURLToPath(new URL('./cached-start.ts', import.meta.url));
    const cached = JSON.parse(
      execFileSync(process.execPath, [...process.execArgv, child, dir], { encoding: 'utf8' }),
    ) as { ms: number; rss: number; heapUsed: number; cache: string };

    say('answer latency …');
    for (const q of QUESTIONS) engine.answer(q); // warm-up
    const ours: number[] = [];
    for (let r = 0; r < rounds; r++)
      for (const q of QUESTIONS) {
        const s = performance.now();
        engine.answer(q);
        ours.push(performance.now() - s);
      }

    say('raw MiniSearch (default options) …');
    t = performance.now();
    const mini = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
    if (rawRounds > 0) mini.addAll(engine.kb.passages.map((p, id) => ({ id, text: p.text })));
    const rawBuildMs = performance.now() - t;
    const texts = QUESTIONS.map((q) => q.replace(/^\//, ''));
    if (rawRounds > 0) for (const q of texts) mini.search(q);
    const raw: number[] = [];
    for (let r = 0; r < rawRounds; r++)
      for (const q of texts) {
        const s = performance.now();
        mini.search(q);
        raw.push(performance.now() - s);
      }

    say('answer latency during a full refresh on a worker thread …');
    // A question arrives every INTERVAL_MS (100 a second); its latency counts from when it arrived, so main-thread stalls show.
    const during: number[] = [];
    let done = false;
    t = performance.now();
    const refresh = buildEngineOffThread(dir).then((b) => {
      done = true;
      return b;
    });
    let i = 0;
    await new Promise<void>((resolve) => {
      let next = performance.now();
      const tick = () => {
        if (done) return resolve();
        // One answer per turn of the event loop, so the decoder's slices interleave with answers.
        if (performance.now() >= next) {
          engine.answer(QUESTIONS[i++ % QUESTIONS.length] as string);
          during.push(performance.now() - next);
          next += INTERVAL_MS;
        }
        const wait = next - performance.now();
        if (wait > 0) setTimeout(tick, wait);
        else setImmediate(tick);
      };
      tick();
    });
    engine = (await refresh).engine;
    const refreshMs = performance.now() - t;

    const o = percentiles(ours);
    const m = percentiles(raw);
    const d = percentiles(during);
    const result = {
      passages: engine.kb.passages.length,
      articles: gen.articles,
      knowledgeBytes: gen.bytes,
      coldBuildMs: round(loadMs + buildMs, 0),
      coldLoadMs: round(loadMs, 0),
      coldPipelineMs: round(buildMs, 0),
      cacheWriteMs: round(cacheWriteMs, 0),
      cacheBytes,
      cachedStartMs: round(cached.ms, 0),
      cachedStartRssMb: mb(cached.rss),
      cachedStartHeapMb: mb(cached.heapUsed),
      rssMb: mb(mem.rss),
      heapUsedMb: mb(mem.heapUsed),
      answerMs: { p50: round(o.p50), p95: round(o.p95), p99: round(o.p99), max: round(o.max), n: o.n },
      rawMiniSearchMs: { p50: round(m.p50), p95: round(m.p95), p99: round(m.p99), max: round(m.max), n: m.n },
      rawMiniSearchBuildMs: round(rawBuildMs, 0),
      ratioOursToRaw: { p50: round(o.p50 / m.p50), p95: round(o.p95 / m.p95), p99: round(o.p99 / m.p99) },
      duringRefreshMs: { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max), n: d.n },
      refreshMs: round(refreshMs, 0),
    };
    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const rows: [string, string][] = [
      ['passages / articles', `${result.passages} / ${result.articles}`],
      [
        'cold build (load + pipeline + index)',
        `${result.coldBuildMs} ms (${result.coldLoadMs} + ${result.coldPipelineMs})`,
      ],
      ['cache write / size', `${result.cacheWriteMs} ms / ${mb(cacheBytes)} MB`],
      ['cached start (fresh process)', `${result.cachedStartMs} ms, RSS ${result.cachedStartRssMb} MB`],
      ['memory after cold build', `RSS ${result.rssMb} MB, heap ${result.heapUsedMb} MB`],
      ['answer p50 / p95 / p99', `${o.p50.toFixed(2)} / ${o.p95.toFixed(2)} / ${o.p99.toFixed(2)} ms`],
      [
        'raw MiniSearch p50 / p95 / p99',
        `${m.p50.toFixed(2)} / ${m.p95.toFixed(2)} / ${m.p99.toFixed(2)} ms`,
      ],
      [
        'ours / raw (p50, p95, p99)',
        `${result.ratioOursToRaw.p50} / ${result.ratioOursToRaw.p95} / ${result.ratioOursToRaw.p99}`,
      ],
      [
        'during refresh p50 / p95 / p99',
        `${d.p50.toFixed(2)} / ${d.p95.toFixed(2)} / ${d.p99.toFixed(2)} ms (${d.n} answers)`,
      ],
      ['full refresh (worker + swap)', `${result.refreshMs} ms`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
