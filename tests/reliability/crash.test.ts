import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import { loadKnowledgeFolder } from '../../src/knowledge/load.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

// CI runs a handful; `CRASH_KILLS=200 npx vitest run tests/reliability` runs a longer campaign.
const KILLS = Number(process.env.CRASH_KILLS ?? 8);

/** Starts the writer, waits until it is working, lets it run a random while, then SIGKILLs it. */
async function runAndKill(dir: string, audit: string, seed: number): Promise<void> {
  // One process (not the tsx CLI, which would leave its node child running after a SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/crash-writer.ts', dir, audit], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INDEX_CACHE: 'on' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  await new Promise((r) => setTimeout(r, 20 + ((seed * 7919) % 400)));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('crash safety', () => {
  it(
    `keeps the knowledge folder loadable and the audit log whole across ${KILLS} SIGKILLs mid-write`,
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'kb-crash-'));
      await cp(KNOWLEDGE_DIR, dir, { recursive: true });
      const audit = path.join(dir, 'audit.log.jsonl');
      for (let k = 0; k < KILLS; k++) {
        await runAndKill(dir, audit, k);
        const loaded = await loadKnowledgeFolder(dir);
        expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([]);
        for (const a of loaded.articles.filter((x) => x.id.startsWith('crash-test-')))
          expect(a.paragraphs.at(-1)).toMatch(/said\.$/); // never a torn article
        const lines = (await readFile(audit, 'utf8').catch(() => '')).split('\n').filter(Boolean);
        for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
        // A cache written at the moment of the kill is either whole or ignored; answers stay right.
        const { engine } = await openKnowledge(dir, { cache: true, log: () => {} });
        expect(engine.answer('/status west-midlands').status?.stage).toBe('engage');
      }
      const names = await readdir(path.join(dir, 'articles'));
      expect(names.filter((n) => !n.startsWith('.') && n.startsWith('crash-test-')).length).toBeGreaterThan(
        0,
      );
    },
    120_000 + KILLS * 5_000,
  );
});
