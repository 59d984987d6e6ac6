// Timing check for the sentence segmenter: run with `npx tsx bench/segment.bench.ts`.
import { segmentSentences } from '../src/knowledge/segment.js';

const unit =
  'Mr. Smith said the U.K. force had improved by 5.5% since 9 a.m. on Monday. “Why now?” he asked. ';
const inputs: Array<[string, string]> = [
  ['news-like prose', unit.repeat(Math.ceil(100_000 / unit.length))],
  ['no spaces, many dots', 'a.'.repeat(50_000)],
  ['spaced dots', '. '.repeat(50_000)],
  ['initials', 'A. '.repeat(33_334)],
  ['one long word', `${'x'.repeat(100_000)}.`],
  ['newline list', 'item\n'.repeat(20_000)],
];

for (const [label, text] of inputs) {
  segmentSentences(text); // warm-up
  const runs = 5;
  const started = performance.now();
  let count = 0;
  for (let r = 0; r < runs; r++) count = segmentSentences(text).length;
  const ms = (performance.now() - started) / runs;
  console.log(
    `${label.padEnd(22)} ${String(text.length).padStart(7)} chars  ${String(count).padStart(6)} sentences  ${ms.toFixed(1)} ms`,
  );
}
