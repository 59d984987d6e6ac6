import { describe, expect, it } from 'vitest';
import { openKnowledge } from '../../src/answer/open.js';
import { buildEngineOffThread } from '../../src/answer/worker.js';
import { KNOWLEDGE_DIR } from '../support/engine.js';

const QUESTIONS = [
  '/status west-midlands',
  '/findings wiltshire',
  '/responses west-midlands',
  '/forces',
  '/sources',
  'why was the met put into special measures?',
  'who is Craig Guildford?',
  'what is the weather like',
];

describe('buildEngineOffThread', () => {
  it('builds on a worker thread (TypeScript under vitest) and answers like a main-thread build', async () => {
    const { engine: here } = await openKnowledge(KNOWLEDGE_DIR, { cache: false });
    const built = await buildEngineOffThread(KNOWLEDGE_DIR);
    expect(built.issues).toEqual([]);
    for (const q of QUESTIONS) expect(built.engine.answer(q)).toEqual(here.answer(q));
  });

  it('keeps answering from the old engine while the build runs', async () => {
    const { engine: old } = await openKnowledge(KNOWLEDGE_DIR, { cache: false });
    const expected = old.answer('/status west-midlands');
    let current = old;
    let done = false;
    const build = buildEngineOffThread(KNOWLEDGE_DIR).then((b) => {
      done = true;
      current = b.engine;
    });
    // Answer on every turn of the event loop until the build is in; at least one answer must come first.
    let answeredBefore = 0;
    while (!done) {
      expect(current.answer('/status west-midlands')).toEqual(expected);
      if (!done) answeredBefore++;
      await new Promise((r) => setImmediate(r));
    }
    await build;
    expect(answeredBefore).toBeGreaterThan(0);
    expect(current).not.toBe(old);
    expect(current.answer('/status west-midlands')).toEqual(expected);
  });

  it('rejects for a folder that cannot be loaded', async () => {
    await expect(buildEngineOffThread('/nonexistent/knowledge')).rejects.toThrow(/forces.json|cannot read/);
  });
});
