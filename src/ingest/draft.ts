import { createEngine, type Engine } from '../answer/compose.js';
import { type StatusChange, statusChanges } from '../answer/holder.js';
import { todayIso } from '../knowledge/load.js';
import { parseArticleFile } from '../knowledge/parse.js';
import type { Article, Force, Topic } from '../knowledge/schema.js';
import { articleFileText, articleIdFor, uniqueId } from './article-file.js';
import { normaliseDate } from './dates.js';
import type { DraftArticle } from './extract.js';

/**
 * From a draft to the bytes of `articles/<id>.md`, and a preview of what saving it would change. The file
 * is checked by the same parser the loader uses, so what is previewed is exactly what will be served; the
 * preview builds a throwaway engine with the draft added and compares force statuses, so a moderator sees
 * "West Midlands: unknown → Engage" before confirming, and nothing is written until they do.
 */

/** What a moderator may correct before saving. Empty or null leaves the field as it is. */
export interface DraftFixes {
  title?: string | null;
  publisher?: string | null;
  published?: string | null;
}

/**
 * Applies a moderator's corrections. A date may be written YYYY-MM-DD or as pages write it
 * ("24 November 2023"); it must be a real day and not in the future.
 */
export function applyFixes(
  draft: DraftArticle,
  fixes: DraftFixes,
  opts: { today?: string } = {},
): { ok: true; draft: DraftArticle } | { ok: false; reason: string } {
  const next = { ...draft };
  const title = fixes.title?.replace(/\s+/g, ' ').trim();
  if (title) next.title = title;
  const publisher = fixes.publisher?.replace(/\s+/g, ' ').trim();
  if (publisher) next.publisher = publisher;
  if (fixes.published?.trim()) {
    const day = normaliseDate(fixes.published);
    if (!day)
      return { ok: false, reason: `“${fixes.published.trim()}” is not a date: write it as YYYY-MM-DD` };
    const today = opts.today ?? todayIso();
    if (day > today) return { ok: false, reason: `${day} is in the future (today is ${today})` };
    next.published = day;
  }
  return { ok: true, draft: next };
}

export type ArticleFileResult =
  | { ok: true; id: string /** `articles/<id>.md` */; file: string; text: string; article: Article }
  | { ok: false; errors: string[] };

/**
 * The article file for a draft: YAML front matter, then the body one paragraph per line. Checked with
 * `parseArticleFile`, exactly as the loader will read it. `taken` are ids already in the folder (a new id
 * gets a -2 suffix); pass `id` to replace an existing article instead.
 */
export function draftToArticleFile(
  draft: DraftArticle,
  opts: { today?: string; taken?: ReadonlySet<string>; id?: string } = {},
): ArticleFileResult {
  const errors: string[] = [];
  if (!draft.title) errors.push('the article needs a title');
  if (!draft.published) errors.push('the article needs a publication date (YYYY-MM-DD)');
  if (draft.paragraphs.length === 0) errors.push('the article has no text');
  if (!draft.title || !draft.published || errors.length) return { ok: false, errors };
  const id =
    opts.id ??
    uniqueId(
      articleIdFor({ publisher: draft.publisher, published: draft.published, title: draft.title }),
      opts.taken ?? new Set(),
    );
  const body = draft.paragraphs.map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const text = articleFileText(
    {
      id,
      title: draft.title,
      publisher: draft.publisher,
      published: draft.published,
      url: draft.url,
      author: draft.author,
      source: draft.url ? null : draft.source,
    },
    `${body.join('\n')}\n`,
  );
  const file = `articles/${id}.md`;
  const parsed = parseArticleFile(file, new TextEncoder().encode(text), { today: opts.today ?? todayIso() });
  if (!parsed.ok) return { ok: false, errors: parsed.issues.map((i) => i.message) };
  return { ok: true, id, file, text, article: parsed.article };
}

export interface PreviewPassage {
  text: string;
  forces: string[];
  topic: Topic;
  speaker: string | null;
}

/** What saving the draft would add and change; nothing is written. */
export interface DraftPreview {
  /** The id the article would be saved as (null until it has a title and date). */
  articleId: string | null;
  passages: number;
  firstPassages: PreviewPassage[];
  /** Forces the article is about, most passages first. */
  forces: { slug: string; name: string; passages: number }[];
  /** Null until the draft has a date: a stage without a date cannot be compared. */
  statusChanges: StatusChange[] | null;
  /** An article already in the knowledge base with the same address. */
  duplicateOf: string | null;
  /** Lines left out as furniture, captions or the headline. */
  dropped: number;
}

/** The knowledge the draft would join: the articles as loaded, the gazetteer, and (optionally) their engine. */
export interface PreviewBase {
  articles: readonly Article[];
  forces: readonly Force[];
  /** The live engine over `articles`, to avoid building it again. */
  engine?: Engine;
}

const PLACEHOLDER_ID = 'draft-preview';

/**
 * The file a draft would be saved as among `articles`: an article with the same address is replaced (same
 * id), otherwise a new id that is not taken. What the preview shows and what Confirm writes both come from
 * here, so they agree.
 */
export function draftFileFor(
  draft: DraftArticle,
  articles: readonly Article[],
  opts: { today?: string } = {},
): { file: ArticleFileResult; duplicateOf: string | null } {
  const duplicate = draft.url ? articles.find((a) => a.url === draft.url) : undefined;
  const taken = new Set(articles.map((a) => a.id));
  if (duplicate) taken.delete(duplicate.id);
  const file = draftToArticleFile(draft, {
    ...(opts.today ? { today: opts.today } : {}),
    taken,
    ...(duplicate ? { id: duplicate.id } : {}),
  });
  return { file, duplicateOf: duplicate?.id ?? null };
}

/**
 * Computes what the draft would add: passages (after cleaning and sentence splitting), the first few, the
 * forces found, and the status changes, by building an engine with the draft added and comparing statuses
 * with the current ones.
 *
 * @example previewDraft(result.draft, { articles: loaded.articles, forces: loaded.forces, engine }).statusChanges
 */
export function previewDraft(
  draft: DraftArticle,
  base: PreviewBase,
  opts: { today?: string; firstPassages?: number } = {},
): DraftPreview {
  const today = opts.today ?? todayIso();
  const { file, duplicateOf } = draftFileFor(draft, base.articles, { today });
  const duplicate = duplicateOf ? { id: duplicateOf } : undefined;
  const dated = file.ok;
  const article: Article = file.ok
    ? file.article
    : {
        id: PLACEHOLDER_ID,
        title: draft.title ?? '',
        publisher: draft.publisher,
        published: draft.published ?? today,
        file: `articles/${PLACEHOLDER_ID}.md`,
        paragraphs: draft.paragraphs,
      };
  const others = base.articles.filter((a) => a.id !== article.id);
  const after = createEngine([...others, article], base.forces);
  const passages = after.kb.byArticle.get(article.id) ?? [];

  const counts = new Map<string, number>();
  for (const p of passages) for (const f of p.forces) counts.set(f, (counts.get(f) ?? 0) + 1);
  const forces = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([slug, n]) => ({ slug, name: after.kb.gazetteer.bySlug(slug)?.name ?? slug, passages: n }));

  const changes: StatusChange[] | null = dated
    ? statusChanges(base.engine ?? createEngine(base.articles, base.forces), after, { articleId: article.id })
    : null;

  return {
    articleId: dated ? article.id : null,
    passages: passages.length,
    firstPassages: passages.slice(0, opts.firstPassages ?? 3).map((p) => ({
      text: p.text,
      forces: p.forces,
      topic: p.topic,
      speaker: p.speaker,
    })),
    forces,
    statusChanges: changes,
    duplicateOf: duplicate?.id ?? null,
    dropped: draft.dropped.length,
  };
}
