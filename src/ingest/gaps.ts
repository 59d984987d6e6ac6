import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { appendLineDurable, writeFileDurable } from '../knowledge/durable.js';
import { createAnalyzer, tokenize } from '../search/analyzer.js';

/**
 * Coverage gaps: questions the bot abstained on and answers users marked unhelpful, kept so moderators can
 * see what articles to add. The store is an append-only JSON Lines file: one whole line per entry, written
 * with a single fsynced append (`appendLineDurable`), so a crash can at worst leave a truncated last line,
 * which reading skips; compaction replaces the file atomically (`writeFileDurable`). It holds
 * no user ids (mentions in the question text are blanked too) and is bounded: past `maxEntries` it is
 * compacted to the newest entries.
 */

export const gapEntrySchema = z.object({
  time: z.string(),
  kind: z.enum(['abstained', 'unhelpful']),
  question: z.string(),
  channel: z.string().nullable().optional(),
  force: z.string().nullable().optional(),
});

export type GapEntry = z.infer<typeof gapEntrySchema>;

export const DEFAULT_MAX_GAP_ENTRIES = 10_000;
/** Questions are stored up to this length: enough to read, not a way to fill the disk. */
export const MAX_GAP_QUESTION_CHARS = 500;

/** Discord mention syntax (<@123>, <@!123>, <@&123>, <#123>) would carry user ids into the file. */
const MENTION = /<(?:@[!&]?|#)\d+>/g;

/** Reads all entries; unreadable lines (a truncated last line, a hand edit) are skipped. Missing file → []. */
export async function readGaps(file: string): Promise<GapEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseLines(text);
}

function parseLines(text: string): GapEntry[] {
  const out: GapEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = gapEntrySchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a partial line from an interrupted write
    }
  }
  return out;
}

/** Where the gaps are kept: `GAPS_PATH`, else `<KNOWLEDGE_DIR>/gaps.jsonl` (the bot and `kb gaps` agree). */
export function gapsPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.GAPS_PATH?.trim();
  if (explicit) return path.resolve(explicit);
  return path.resolve(env.KNOWLEDGE_DIR?.trim() || 'knowledge', 'gaps.jsonl');
}

/** What a caller records; `time` defaults to now. */
export interface GapInput {
  kind: GapEntry['kind'];
  question: string;
  channel?: string | null;
  force?: string | null;
  time?: Date;
}

export interface GapStore {
  readonly file: string;
  /** Appends one entry as one line. Appends from one process are serialised. */
  record(entry: GapInput): Promise<void>;
  read(): Promise<GapEntry[]>;
  /** Resolves once every write started so far has finished (for a clean shutdown). */
  flush(): Promise<void>;
}

/**
 * Opens (lazily) the store at `file`. Within a process, writes go one at a time; the file is compacted to the
 * newest `maxEntries` once it holds 10% more, so compaction is rare.
 *
 * @example await createGapStore('data/gaps.jsonl').record({ kind: 'abstained', question: 'who runs kent police?' })
 */
export function createGapStore(file: string, opts: { maxEntries?: number } = {}): GapStore {
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_GAP_ENTRIES;
  const slack = Math.max(1, Math.ceil(maxEntries / 10));
  let count: number | null = null;
  let needsNewline = false;
  let queue: Promise<unknown> = Promise.resolve();

  const init = async (): Promise<void> => {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    count = parseLines(text).length;
    // A truncated last line must not swallow the next entry.
    needsNewline = text.length > 0 && !text.endsWith('\n');
  };

  const compact = async (): Promise<void> => {
    const keep = (await readGaps(file)).slice(-maxEntries);
    await writeFileDurable(file, keep.map((e) => `${JSON.stringify(e)}\n`).join(''));
    count = keep.length;
  };

  const write = async (input: GapInput): Promise<void> => {
    if (count === null) await init();
    const entry: GapEntry = {
      time: (input.time ?? new Date()).toISOString(),
      kind: input.kind,
      question: scrub(input.question),
      channel: input.channel ?? null,
      force: input.force ?? null,
    };
    // A torn last line is ended first, so it cannot swallow this entry.
    if (needsNewline) await appendLineDurable(file, '');
    needsNewline = false;
    await appendLineDurable(file, JSON.stringify(entry));
    count = (count ?? 0) + 1;
    if (count > maxEntries + slack) await compact();
  };

  return {
    file,
    record(entry) {
      const next = queue.then(() => write(entry));
      queue = next.catch(() => {});
      return next;
    },
    read: () => queue.then(() => readGaps(file)),
    flush: () => queue.then(() => undefined),
  };
}

/** Question text as stored: mentions blanked, whitespace single, length capped. */
function scrub(question: string): string {
  return question
    .replace(MENTION, '@…')
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_GAP_QUESTION_CHARS);
}

/** A group of similar gaps: how many, the latest time, and a few example questions (newest first). */
export interface GapGroup {
  /** The force slug, or the significant words shared by the questions ("chief constable kent"). */
  key: string;
  count: number;
  abstained: number;
  unhelpful: number;
  latest: string;
  examples: string[];
}

export interface GapSummary {
  total: number;
  abstained: number;
  unhelpful: number;
  /** Gaps grouped by the force they were about, most frequent first. */
  byForce: GapGroup[];
  /** Gaps grouped by their significant words (case, stop words and word endings ignored). */
  byWords: GapGroup[];
  /** The single significant words asked about most often. */
  topWords: { word: string; count: number }[];
}

/**
 * Groups gaps so a moderator sees what is asked and not answered. `protectedWords` (force names) are kept
 * unstemmed, as the search index does; `since` drops older entries.
 *
 * @example summariseGaps(await store.read(), { limit: 10 }).byWords[0]
 */
export function summariseGaps(
  entries: readonly GapEntry[],
  opts: { limit?: number; examples?: number; since?: string; protectedWords?: Iterable<string> } = {},
): GapSummary {
  const limit = opts.limit ?? 10;
  const maxExamples = opts.examples ?? 3;
  const analyzer = createAnalyzer(opts.protectedWords ?? []);
  const recent = entries.filter((e) => !opts.since || e.time >= opts.since);

  const byForce = new Map<string, GapEntry[]>();
  const byWords = new Map<string, GapEntry[]>();
  /** A readable spelling for each stem: its most frequent surface form. */
  const spelling = new Map<string, Map<string, number>>();
  const wordCounts = new Map<string, number>();
  const add = (map: Map<string, GapEntry[]>, key: string, e: GapEntry) => {
    const list = map.get(key);
    if (list) list.push(e);
    else map.set(key, [e]);
  };

  for (const e of recent) {
    if (e.force) add(byForce, e.force, e);
    const stems = new Set<string>();
    for (const token of tokenize(e.question)) {
      const stem = analyzer.term(token);
      if (!stem) continue;
      stems.add(stem);
      const forms = spelling.get(stem) ?? new Map<string, number>();
      const form = token.toLowerCase().replace(/’/g, "'");
      forms.set(form, (forms.get(form) ?? 0) + 1);
      spelling.set(stem, forms);
    }
    for (const s of stems) wordCounts.set(s, (wordCounts.get(s) ?? 0) + 1);
    if (stems.size) add(byWords, [...stems].sort().join(' '), e);
  }

  /** The spelling used most often, among `within`'s questions when given (so a group reads as it was asked). */
  const readable = (stem: string, within?: readonly GapEntry[]): string => {
    let forms = spelling.get(stem) ?? new Map<string, number>();
    if (within) {
      const local = new Map<string, number>();
      for (const e of within)
        for (const token of tokenize(e.question))
          if (analyzer.term(token) === stem) {
            const form = token.toLowerCase().replace(/’/g, "'");
            local.set(form, (local.get(form) ?? 0) + 1);
          }
      if (local.size) forms = local;
    }
    return [...forms].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? stem;
  };
  const groups = (
    map: Map<string, GapEntry[]>,
    label: (key: string, list: readonly GapEntry[]) => string,
  ): GapGroup[] =>
    [...map]
      .map(([key, list]): GapGroup => {
        const newest = [...list].sort((a, b) => b.time.localeCompare(a.time));
        return {
          key: label(key, list),
          count: list.length,
          abstained: list.filter((e) => e.kind === 'abstained').length,
          unhelpful: list.filter((e) => e.kind === 'unhelpful').length,
          latest: newest[0]?.time ?? '',
          examples: [...new Set(newest.map((e) => e.question))].slice(0, maxExamples),
        };
      })
      .sort((a, b) => b.count - a.count || b.latest.localeCompare(a.latest) || a.key.localeCompare(b.key))
      .slice(0, limit);

  return {
    total: recent.length,
    abstained: recent.filter((e) => e.kind === 'abstained').length,
    unhelpful: recent.filter((e) => e.kind === 'unhelpful').length,
    byForce: groups(byForce, (k) => k),
    byWords: groups(byWords, (k, list) =>
      k
        .split(' ')
        .map((stem) => readable(stem, list))
        .join(' '),
    ),
    topWords: [...wordCounts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([stem, count]) => ({ word: readable(stem), count })),
  };
}
