import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Niceness of an index build's worker thread: `INDEX_BUILD_NICE` (0–19), default 10. */
export function buildNice(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.INDEX_BUILD_NICE ?? '', 10);
  return Number.isInteger(n) ? Math.min(19, Math.max(0, n)) : 10;
}

/**
 * Lowers the calling thread's scheduling priority (niceness `nice`), so a build on a worker thread gets
 * less of a contended core than the answering thread: on two cores it otherwise competes with it (and with
 * the garbage collector's helper threads). Not the lowest by default: on a saturated host a nice-19 build
 * could wait far too long. Linux only (a thread's id is a process id to `setpriority`); elsewhere, or if
 * refused, nothing changes. Never touches the main thread.
 */
export function lowerThreadPriority(nice: number = buildNice()): void {
  if (nice <= 0) return;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0 && tid !== process.pid) setPriority(tid, nice);
  } catch {
    // Not Linux, or not allowed: run at normal priority.
  }
}
