import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { removeFileDurable, writeFileDurable } from '../knowledge/durable.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { type Article, articleIdSchema, type Force } from '../knowledge/schema.js';
import type { Engine } from './compose.js';
import { cacheLocation, type OpenedKnowledge, type OpenOptions, openKnowledge } from './open.js';
import type { Stage } from './types.js';
import { buildEngineOffThread } from './worker.js';

/**
 * The live knowledge of a running shell (the bot, `kb add`): the engine answering now, and the only way the
 * knowledge folder is changed — add, remove, refresh — with durable writes, a rebuild, and a rollback when
 * the rebuilt folder has an error. No Discord here: the bot and the CLI share it.
 */

/** A force whose stage or newest-evidence date differs between two versions of the knowledge. */
export interface StatusChange {
  force: string;
  name: string;
  before: { stage: Stage; asOf: string | null };
  after: { stage: Stage; asOf: string | null };
  /** The sentence that decides the new status, when it comes from the article being added (previews). */
  because?: string | null;
}

export interface KnowledgeSummary {
  articles: number;
  passages: number;
  forcesCovered: number;
  forcesKnown: number;
}

export type RebuildResult =
  | {
      ok: true;
      summary: KnowledgeSummary;
      changes: StatusChange[];
      /** Warnings (files served anyway). */
      warnings: KnowledgeIssue[];
    }
  | {
      ok: false;
      /** Errors, each naming its file; the previous knowledge is still being served. */
      errors: KnowledgeIssue[];
      summary: KnowledgeSummary;
    };

export type AddResult =
  | (Extract<RebuildResult, { ok: true }> & {
      articleId: string;
      replaced: boolean;
      passages: number;
      forces: string[];
    })
  | Extract<RebuildResult, { ok: false }>;

export interface RefreshInfo {
  at: Date;
  ok: boolean;
  by: string | null;
}

/**
 * Holds the live Engine and swaps it atomically: a new one is built completely — on a worker thread, so
 * the old one keeps answering meanwhile — checked, and only then replaces the old in a single assignment.
 * On any error the old engine keeps answering. Changes to the folder (add, remove, refresh) run one at a
 * time. Opening uses the index cache (fast start); rebuilds write it for the next start.
 */
export class KnowledgeHolder {
  private current: OpenedKnowledge;
  private queue: Promise<unknown> = Promise.resolve();
  readonly startedAt = new Date();
  lastRefresh: RefreshInfo;

  private constructor(
    readonly dir: string,
    opened: OpenedKnowledge,
    private readonly openOptions: OpenOptions = {},
  ) {
    this.current = opened;
    this.lastRefresh = { at: new Date(), ok: true, by: null };
  }

  /** Loads the folder; files with errors are left out (and reported in `issues`), as the CLI does. */
  static async open(dir: string, opts: OpenOptions = {}): Promise<KnowledgeHolder> {
    return new KnowledgeHolder(dir, await openKnowledge(dir, opts), opts);
  }

  get engine(): Engine {
    return this.current.engine;
  }

  /** Problems in the folder as last loaded successfully. */
  get issues(): readonly KnowledgeIssue[] {
    return this.current.issues;
  }

  /** The articles and gazetteer behind the live engine, e.g. for `previewDraft`. */
  get loaded(): { articles: readonly Article[]; forces: readonly Force[] } {
    return this.current.loaded;
  }

  get articlesDir(): string {
    return path.join(this.dir, 'articles');
  }

  summary(engine: Engine = this.engine): KnowledgeSummary {
    return {
      articles: engine.kb.articles.size,
      passages: engine.kb.passages.length,
      forcesCovered: forcesOf(engine).size,
      forcesKnown: engine.kb.gazetteer.forces.length,
    };
  }

  /** Slugs of forces the knowledge has evidence on (autocomplete ranks them first). */
  forcesWithEvidence(): Set<string> {
    return new Set(forcesOf(this.engine));
  }

  /** Reloads the folder; swaps only when no file has an error. */
  refresh(by: string | null = null): Promise<RebuildResult> {
    return this.serial(() => this.rebuild(by));
  }

  /**
   * Writes `articles/<id>.md` atomically and durably (temp file, fsync, rename) and rebuilds. If the rebuilt folder has any
   * error, the previous file (or its absence) is restored and the old engine keeps answering.
   * The bytes must already have passed `parseArticleFile` for this id.
   */
  add(id: string, bytes: Uint8Array, by: string | null = null): Promise<AddResult> {
    return this.serial(async () => {
      const file = this.fileOf(id);
      const previous = await readFile(file).catch(() => null);
      await writeFileDurable(file, bytes);
      const result = await this.rebuild(by);
      if (!result.ok) {
        await (previous ? writeFileDurable(file, previous) : removeFileDurable(file));
        return result;
      }
      const passages = this.engine.kb.byArticle.get(id) ?? [];
      const forces = [...new Set(passages.flatMap((p) => p.forces))];
      return { ...result, articleId: id, replaced: previous !== null, passages: passages.length, forces };
    });
  }

  /** Deletes `articles/<id>.md` and rebuilds; restores the file if the rebuild fails. */
  remove(id: string, by: string | null = null): Promise<RebuildResult | { ok: false; missing: true }> {
    return this.serial(async () => {
      const file = this.fileOf(id);
      const previous = await readFile(file).catch(() => null);
      if (!previous) return { ok: false as const, missing: true as const };
      await removeFileDurable(file);
      const result = await this.rebuild(by);
      if (!result.ok) await writeFileDurable(file, previous);
      return result;
    });
  }

  /** Whether `articles/<id>.md` exists on disk (it may be broken and so not in the engine). */
  async exists(id: string): Promise<boolean> {
    if (!articleIdSchema.safeParse(id).success) return false;
    return readFile(this.fileOf(id)).then(
      () => true,
      () => false,
    );
  }

  private fileOf(id: string): string {
    // The id schema (kebab-case) keeps the path inside articles/.
    const valid = articleIdSchema.parse(id);
    return path.join(this.articlesDir, `${valid}.md`);
  }

  /** Builds the folder's engine on a worker thread (reusing a valid cache), decoding it here in slices. */
  private async rebuild(by: string | null): Promise<RebuildResult> {
    let opened: OpenedKnowledge;
    try {
      const { log, today, forcesFile } = this.openOptions;
      const built = await buildEngineOffThread(this.dir, {
        log,
        today,
        forcesFile,
        cache: cacheLocation(this.dir, this.openOptions),
        reuseCache: true,
      });
      opened = { engine: built.engine, loaded: built.loaded, issues: built.issues, cache: built.cache };
    } catch (err) {
      this.lastRefresh = { at: new Date(), ok: false, by };
      return {
        ok: false,
        errors: [{ file: 'forces.json', severity: 'error', message: (err as Error).message }],
        summary: this.summary(),
      };
    }
    const errors = opened.issues.filter((i) => i.severity === 'error');
    if (errors.length) {
      this.lastRefresh = { at: new Date(), ok: false, by };
      return { ok: false, errors, summary: this.summary() };
    }
    const before = this.engine;
    this.current = opened; // the swap: one assignment, after the new engine is complete
    this.lastRefresh = { at: new Date(), ok: true, by };
    return {
      ok: true,
      summary: this.summary(opened.engine),
      changes: statusChanges(before, opened.engine),
      warnings: opened.issues.filter((i) => i.severity === 'warning'),
    };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const forcesByEngine = new WeakMap<Engine, Set<string>>();

/** Slugs of forces with at least one passage, worked out once per engine. */
function forcesOf(engine: Engine): Set<string> {
  let forces = forcesByEngine.get(engine);
  if (!forces) {
    forces = new Set();
    for (const p of engine.kb.passages) for (const f of p.forces) forces.add(f);
    forcesByEngine.set(engine, forces);
  }
  return forces;
}

/**
 * Forces whose stage or newest evidence date differ between two engines, by force name. With `articleId`,
 * each change says which of that article's sentences decides the new status (`because`).
 */
export function statusChanges(
  before: Engine,
  after: Engine,
  opts: { articleId?: string } = {},
): StatusChange[] {
  const slugs = new Set([...before.statuses.keys(), ...after.statuses.keys()]);
  const out: StatusChange[] = [];
  for (const slug of slugs) {
    const b = before.statuses.get(slug);
    const a = after.statuses.get(slug);
    const bs = { stage: b?.stage ?? ('unknown' as Stage), asOf: b?.asOf ?? null };
    const as = { stage: a?.stage ?? ('unknown' as Stage), asOf: a?.asOf ?? null };
    if (bs.stage === as.stage && bs.asOf === as.asOf) continue;
    const name = after.kb.gazetteer.bySlug(slug)?.name ?? before.kb.gazetteer.bySlug(slug)?.name ?? slug;
    const change: StatusChange = { force: slug, name, before: bs, after: as };
    if (opts.articleId !== undefined) {
      const newest = a?.events[0];
      change.because = newest?.articleId === opts.articleId ? (newest.passages[0]?.text ?? null) : null;
    }
    out.push(change);
  }
  return out.sort((x, y) => x.name.localeCompare(y.name));
}
