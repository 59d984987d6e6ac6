/**
 * Diagnostics for answers during a refresh: `tsx bench/refresh-probe.ts [--dir D] [--passages N]`.
 * Prints each stall (> 50 ms) with the phase it fell in, GC pauses per phase, and event-loop delay.
 */
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { openKnowledge } from '../src/answer/open.js';
import { buildEngineOffThread } from '../src/answer/worker.js';
import { generateKnowledge } from './generate.js';
import { QUESTIONS } from './questions.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = option('--dir') ?? '/tmp/pib-probe';
const passages = Number(option('--passages') ?? 100_000);
if (!existsSync(`${dir}/forces.json`)) await generateKnowledge(dir, passages);
let engine = (await openKnowledge(dir, { cache: true, log: () => {} })).engine;
for (const q of QUESTIONS) engine.answer(q);
global.gc?.();

const t0 = performance.now();
const marks: Record<string, number> = {};
const gcs: { at: number; ms: number; kind: number }[] = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({
      at: e.startTime - t0,
      ms: e.duration,
      kind: (e as unknown as { detail: { kind: number } }).detail.kind,
    });
});
obs.observe({ entryTypes: ['gc'] });
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
const elu0 = performance.eventLoopUtilization();
const samples: { at: number; ms: number; answerMs: number }[] = [];
let done = false;
const refresh = buildEngineOffThread(dir, {
  trace: (e) => {
    marks[e] = performance.now() - t0;
  },
}).then((b) => {
  done = true;
  return b;
});
let i = 0;
await new Promise<void>((resolve) => {
  let next = performance.now();
  const tick = () => {
    if (done) return resolve();
    if (performance.now() >= next) {
      const s = performance.now();
      engine.answer(QUESTIONS[i++ % QUESTIONS.length] as string);
      const e = performance.now();
      samples.push({ at: next - t0, ms: e - next, answerMs: e - s });
      next += 10;
    }
    const wait = next - performance.now();
    if (wait > 0) setTimeout(tick, wait);
    else setImmediate(tick);
  };
  tick();
});
engine = (await refresh).engine;
h.disable();
const elu = performance.eventLoopUtilization(elu0);
obs.disconnect();
const phase = (at: number) => (at < (marks.built ?? Infinity) ? 'build' : 'decode');
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const r = (n: number) => Math.round(n * 10) / 10;
console.log(
  'marks',
  marks,
  'elu',
  r(elu.utilization * 100),
  '% loop delay p99',
  r(h.percentile(99) / 1e6),
  'max',
  r(h.max / 1e6),
);
for (const p of ['build', 'decode']) {
  const xs = samples.filter((s) => phase(s.at) === p);
  const g = gcs.filter((x) => phase(x.at) === p);
  console.log(
    p,
    `n=${xs.length} p50=${r(
      pct(
        xs.map((x) => x.ms),
        0.5,
      ),
    )} p99=${r(
      pct(
        xs.map((x) => x.ms),
        0.99,
      ),
    )} max=${r(
      pct(
        xs.map((x) => x.ms),
        1,
      ),
    )}`,
    `answer-only p99=${r(
      pct(
        xs.map((x) => x.answerMs),
        0.99,
      ),
    )}`,
    `gc n=${g.length} total=${r(g.reduce((a, b) => a + b.ms, 0))}ms max=${r(Math.max(0, ...g.map((x) => x.ms)))}`,
  );
}
const all = samples.map((s) => s.ms);
console.log(
  `all n=${all.length} p50=${r(pct(all, 0.5))} p95=${r(pct(all, 0.95))} p99=${r(pct(all, 0.99))} max=${r(pct(all, 1))}`,
);
if (args.includes('--verbose')) {
  for (const s of samples.filter((x) => x.ms > 50))
    console.log('stall', r(s.at), r(s.ms), 'answer', r(s.answerMs));
  for (const g of gcs.filter((x) => x.ms > 5)) console.log('gc', r(g.at), r(g.ms), 'kind', g.kind);
}
