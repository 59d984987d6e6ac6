import { knowledgeDir, type LoadedFolder, loadKnowledgeFolder } from '../knowledge/load.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { createEngine, type Engine } from './compose.js';

/** An engine together with what was wrong in the folder it was built from. */
export interface OpenedKnowledge {
  engine: Engine;
  loaded: LoadedFolder;
  /** Files left out (errors) and warnings; the engine answers from the valid articles. */
  issues: KnowledgeIssue[];
}

/**
 * Loads a knowledge folder and builds the engine from its valid articles. The one entry point the CLI
 * and the bot share, so both answer from exactly the same knowledge.
 *
 * @example const { engine } = await openKnowledge(); engine.answer('/forces')
 */
export async function openKnowledge(dir: string = knowledgeDir()): Promise<OpenedKnowledge> {
  const loaded = await loadKnowledgeFolder(dir);
  const engine = createEngine(loaded.articles, loaded.forces);
  return { engine, loaded, issues: loaded.issues };
}
