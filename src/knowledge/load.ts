import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type KnowledgeIssue, parseArticleFile } from './parse.js';
import { type Article, type Force, forcesFileSchema } from './schema.js';

/** Everything read from a knowledge folder: the valid articles, the gazetteer, and what was wrong. */
export interface LoadedFolder {
  dir: string;
  articles: Article[];
  forces: Force[];
  /** Errors (file left out) and warnings, each naming its file. */
  issues: KnowledgeIssue[];
}

/** The folder the bot and CLI read, from `KNOWLEDGE_DIR` (default `./knowledge`). */
export function knowledgeDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.KNOWLEDGE_DIR?.trim() || 'knowledge');
}

/** Today's date as YYYY-MM-DD (UTC), the upper bound for `published`. */
export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Reads `<dir>/forces.json` and every `<dir>/articles/*.md`. A broken article never stops the load: it is
 * reported in `issues` and left out, so callers can serve the valid ones. Only an unreadable or invalid
 * gazetteer throws, since nothing can be answered without it. `forcesFile` overrides `<dir>/forces.json`
 * (test fixtures share the bundled gazetteer).
 */
export async function loadKnowledgeFolder(
  dir: string,
  opts: { today?: string; forcesFile?: string } = {},
): Promise<LoadedFolder> {
  const today = opts.today ?? todayIso();
  const forcesFile = gazetteerFile(dir, opts.forcesFile);
  const forces = await loadForces(forcesFile);
  const issues: KnowledgeIssue[] = [];
  if (forcesFile === BUNDLED_FORCES && !opts.forcesFile && path.resolve(dir) !== path.dirname(BUNDLED_FORCES))
    issues.push({
      file: 'forces.json',
      severity: 'warning',
      message: `the folder has no forces.json: using the bundled gazetteer (${BUNDLED_FORCES})`,
    });
  const articlesDir = path.join(dir, 'articles');
  let names: string[];
  try {
    names = (await readdir(articlesDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new KnowledgeFolderError(
      `cannot read ${articlesDir}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const articles: Article[] = [];
  const byId = new Map<string, string>();
  const BATCH = 64;
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const contents = await Promise.all(
      batch.map((n) => readFile(path.join(articlesDir, n)).catch((e: Error) => e)),
    );
    batch.forEach((name, j) => {
      const file = `articles/${name}`;
      const bytes = contents[j];
      if (!name.endsWith('.md')) {
        issues.push({ file, severity: 'warning', message: 'ignored: article files must end in .md' });
        return;
      }
      if (bytes instanceof Error || bytes === undefined) {
        issues.push({
          file,
          severity: 'error',
          message: `cannot read the file: ${bytes?.message ?? 'unknown error'}`,
        });
        return;
      }
      const result = parseArticleFile(file, bytes, { today });
      if (!result.ok) {
        issues.push(...result.issues);
        return;
      }
      const other = byId.get(result.article.id);
      if (other) {
        issues.push({
          file,
          severity: 'error',
          field: 'id',
          message: `duplicate id: ${other} has the same id`,
        });
        return;
      }
      byId.set(result.article.id, file);
      issues.push(...result.warnings);
      articles.push(result.article);
    });
  }
  return { dir, articles, forces, issues };
}

/** The gazetteer that ships with the bot, for folders that bring none of their own. */
export const BUNDLED_FORCES = fileURLToPath(new URL('../../knowledge/forces.json', import.meta.url));

/**
 * The gazetteer a folder is read with: `forcesFile` when given, else `<dir>/forces.json`, else (a folder
 * of articles only) the bundled one.
 */
export function gazetteerFile(dir: string, forcesFile?: string): string {
  if (forcesFile) return forcesFile;
  const own = path.join(dir, 'forces.json');
  return existsSync(own) || !existsSync(BUNDLED_FORCES) ? own : BUNDLED_FORCES;
}

/** Raised when the folder itself (not one article) cannot be used. */
export class KnowledgeFolderError extends Error {
  override name = 'KnowledgeFolderError';
}

async function loadForces(file: string): Promise<Force[]> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    throw new KnowledgeFolderError(
      `cannot read the gazetteer ${file} (${(err as NodeJS.ErrnoException).code ?? err}): KNOWLEDGE_DIR must point at a folder with forces.json and articles/`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new KnowledgeFolderError(`forces.json is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = forcesFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw new KnowledgeFolderError(`forces.json is invalid: ${first}`);
  }
  return parsed.data;
}
