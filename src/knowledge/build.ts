import { annotateArticle, type RawSentence } from './annotate.js';
import { cleanParagraphs, type DroppedParagraph } from './clean.js';
import { createGazetteer, type Gazetteer } from './gazetteer.js';
import type { Article, Force, Passage } from './schema.js';
import { segmentSentences } from './segment.js';

/** An article as answers cite it: its metadata, without the body. */
export type ArticleMeta = Omit<Article, 'paragraphs'>;

/** The annotated knowledge: what the index and the answer engine work from. */
export interface KnowledgeBase {
  articles: Map<string, ArticleMeta>;
  passages: Passage[];
  /** Passages of each article, in reading order. */
  byArticle: Map<string, Passage[]>;
  /** Furniture removed from each article, so `kb show` can explain what was left out and why. */
  dropped: Map<string, DroppedParagraph[]>;
  gazetteer: Gazetteer;
}

/**
 * Runs clean → segment → annotate over every article. Pure: the same articles give the same passages.
 *
 * @example buildKnowledgeBase(loaded.articles, loaded.forces).passages.length
 */
export function buildKnowledgeBase(articles: readonly Article[], forces: readonly Force[]): KnowledgeBase {
  const gazetteer = createGazetteer(forces);
  const kb: KnowledgeBase = {
    articles: new Map(),
    passages: [],
    byArticle: new Map(),
    dropped: new Map(),
    gazetteer,
  };
  for (const article of articles) {
    const { paragraphs, ...meta } = article;
    const { kept, dropped } = cleanParagraphs(paragraphs);
    const sentences: RawSentence[] = kept.flatMap((p) =>
      segmentSentences(p.text)
        .map((text, sentence) => ({
          paragraph: p.index,
          sentence,
          text,
          listItem: p.listItem,
          section: p.section,
        }))
        // Too short to answer anything, unless it introduces a list ("Inspectors found:").
        .filter((s) => wordCount(s.text) >= MIN_WORDS || LEAD.test(s.text)),
    );
    // The short list leads are read (they say what the items are) but not quoted.
    const passages = annotateArticle(
      article.id,
      sentences,
      gazetteer,
      dropped.map((d) => d.text),
      article.publisher,
      article.title,
    )
      .filter((p) => wordCount(p.text) >= MIN_WORDS)
      .map((p, position) => (p.position === position ? p : { ...p, position }));
    kb.articles.set(article.id, meta);
    kb.byArticle.set(article.id, passages);
    kb.dropped.set(article.id, dropped);
    for (const p of passages) kb.passages.push(p);
  }
  return kb;
}

/** Sentences shorter than this ("Good morning.", "10:42 — Update.") cannot answer anything on their own. */
const MIN_WORDS = 3;
const LEAD = /:\s*$/;

function wordCount(text: string): number {
  return (text.match(/\p{L}[\p{L}'’-]*/gu) ?? []).length;
}

const aboutCache = new WeakMap<KnowledgeBase, Map<string, Passage[]>>();

/**
 * The passages about a force (named or implied), in knowledge-base order. Worked out once per knowledge
 * base: answers about one force need not scan every passage.
 */
export function passagesAbout(kb: KnowledgeBase, force: string): readonly Passage[] {
  let byForce = aboutCache.get(kb);
  if (!byForce) {
    byForce = new Map();
    for (const p of kb.passages)
      for (const f of p.forces) {
        const list = byForce.get(f) ?? [];
        list.push(p);
        byForce.set(f, list);
      }
    aboutCache.set(kb, byForce);
  }
  return byForce.get(force) ?? [];
}
