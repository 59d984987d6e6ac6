// Child of bench/run.ts: a fresh process opening a knowledge folder whose index cache is in place.
import { openKnowledge } from '../src/answer/open.js';

const started = performance.now();
const opened = await openKnowledge(process.argv[2], { cache: true });
const ms = performance.now() - started;
opened.engine.answer('/status kent');
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ ms, rss, heapUsed, cache: opened.cache })}\n`);
