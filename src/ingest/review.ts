import type { AddResult, KnowledgeHolder } from '../answer/holder.js';
import { todayIso } from '../knowledge/load.js';
import { applyFixes, type DraftFixes, type DraftPreview, draftFileFor, previewDraft } from './draft.js';
import type { DraftArticle, ExtractResult, Problem } from './extract.js';
import type { ReadResult } from './read.js';

/**
 * The moderator's review of an article read from a link or a saved page, shared by `/kb add url:` and
 * `kb add --url/--file`: refuse what cannot be an article (fetch refusals, paywalls, index pages) with a
 * reason, apply fixes, preview what saving would change, and save through the knowledge holder. The
 * shells only render and ask.
 */

/** A draft under review: what was read, the problems that still stand, and where the fields came from. */
export interface Review {
  draft: DraftArticle;
  problems: Problem[];
  sources: ExtractResult['sources'];
  /** The address the page was read from (after redirects), or null for a saved file. */
  fetchedFrom: string | null;
}

/** Problems that no fix can clear: the page is not a readable article. */
const FATAL = new Set<Problem['code']>(['paywall', 'not-article']);

/**
 * From a read to a review, or the reason it cannot be one. Fixes given up front (`--published`, the
 * command's options) are applied; a bad fix is a refusal.
 *
 * @example const r = startReview(await readArticleFromUrl(link, fetchOptionsFromEnv()), { published: '2024-06-14' })
 */
export function startReview(
  read: ReadResult,
  fixes: DraftFixes = {},
  opts: { today?: string } = {},
): { ok: true; review: Review } | { ok: false; reason: string } {
  if (!read.ok) return { ok: false, reason: read.reason };
  const fatal = read.result.problems.filter((p) => FATAL.has(p.code));
  if (fatal.length) return { ok: false, reason: fatal.map((p) => p.message).join('; ') };
  const review: Review = {
    draft: read.result.draft,
    problems: read.result.problems,
    sources: read.result.sources,
    fetchedFrom: read.fetchedFrom,
  };
  return fixReview(review, fixes, opts);
}

/** Applies a moderator's fixes; the problems they settle (no title, no date) go away. */
export function fixReview(
  review: Review,
  fixes: DraftFixes,
  opts: { today?: string } = {},
): { ok: true; review: Review } | { ok: false; reason: string } {
  const fixed = applyFixes(review.draft, fixes, opts);
  if (!fixed.ok) return { ok: false, reason: fixed.reason };
  const draft = fixed.draft;
  const problems = review.problems.filter(
    (p) => !((p.code === 'no-date' && draft.published) || (p.code === 'no-title' && draft.title)),
  );
  const sources = { ...review.sources };
  if (fixes.published?.trim() && draft.published) sources.published = 'given by the moderator';
  if (fixes.title?.trim()) sources.title = 'given by the moderator';
  if (fixes.publisher?.trim()) sources.publisher = 'given by the moderator';
  return { ok: true, review: { ...review, draft, problems, sources } };
}

/** What the review still needs before it can be saved (no title, no date); empty when it can be saved. */
export function missingFields(review: Review): string[] {
  return review.problems.filter((p) => p.blocking).map((p) => p.message);
}

/** The preview against the live knowledge: passages, forces, status changes. Nothing is written. */
export function previewReview(review: Review, holder: KnowledgeHolder, opts: { today?: string } = {}) {
  const { articles, forces } = holder.loaded;
  return previewDraft(review.draft, { articles, forces, engine: holder.engine }, opts) satisfies DraftPreview;
}

export type SaveResult =
  | (AddResult & { ok: true; file: string })
  | { ok: false; errors: string[]; file?: string };

/**
 * Writes the reviewed article through the holder (durable write, rebuild, rollback on any error). An
 * article with the same address is replaced; otherwise a free id is chosen, as the preview showed.
 */
export async function saveReview(
  review: Review,
  holder: KnowledgeHolder,
  by: string | null,
  opts: { today?: string } = {},
): Promise<SaveResult> {
  const missing = missingFields(review);
  if (missing.length) return { ok: false, errors: missing };
  const { file } = draftFileFor(review.draft, holder.loaded.articles, { today: opts.today ?? todayIso() });
  if (!file.ok) return { ok: false, errors: file.errors };
  const result = await holder.add(file.id, new TextEncoder().encode(file.text), by);
  if (!result.ok)
    return { ok: false, errors: result.errors.map((e) => `${e.file}: ${e.message}`), file: file.file };
  return { ...result, file: file.file };
}
