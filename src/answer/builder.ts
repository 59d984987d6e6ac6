import type { Passage } from '../knowledge/schema.js';
import type { Engine } from './compose.js';
import type { ParsedQuery } from './intent.js';
import type { Answer, Citation, ForceStatusRow, Intent, Source, StatusInfo } from './types.js';

/** Most sentences a free-text answer cites, and a list (findings, responses, a person's words). */
export const MAX_ASK_CITATIONS = 3;
export const MAX_LIST_CITATIONS = 8;

/** What the knowledge base can answer, offered whenever it cannot answer the question asked. */
const SUGGESTIONS = [
  '/status <force> — is a force in special measures (Engage)?',
  '/findings <force> — what inspectors found',
  '/responses <force> — what the force said',
  '/forces — every force the knowledge base has evidence on',
  '/sources — the articles behind the answers',
];

/** Collects citations and sources as an answer is put together, numbering them in the order shown. */
export class AnswerBuilder {
  intent: Intent;
  force: string | null;
  forceName: string | null;
  citations: Citation[] = [];
  sources: Source[] = [];
  statuses: ForceStatusRow[] | null = null;
  private readonly byPassage = new Map<string, number>();

  constructor(
    readonly engine: Engine,
    readonly query: string,
    readonly parsed: ParsedQuery,
  ) {
    this.intent = parsed.intent;
    this.force = parsed.force?.slug ?? null;
    this.forceName = parsed.force ? (engine.kb.gazetteer.bySlug(parsed.force.slug)?.name ?? null) : null;
  }

  /** The force the answer turned out to be about, when the question did not name one. */
  setForce(slug: string | null): void {
    this.force = slug;
    this.forceName = slug ? (this.engine.kb.gazetteer.bySlug(slug)?.name ?? null) : null;
  }

  /** Adds a passage (once) and returns its citation number. */
  cite(p: Passage): number {
    const seen = this.byPassage.get(p.id);
    if (seen) return seen;
    const meta = this.engine.kb.articles.get(p.articleId);
    let source = this.sources.findIndex((s) => s.articleId === p.articleId);
    if (source < 0 && meta) {
      source = this.sources.length;
      this.sources.push({
        articleId: meta.id,
        title: meta.title,
        publisher: meta.publisher,
        published: meta.published,
        url: meta.url ?? null,
      });
    }
    const n = this.citations.length + 1;
    this.citations.push({
      n,
      text: p.text,
      articleId: p.articleId,
      title: meta?.title ?? p.articleId,
      publisher: meta?.publisher ?? '',
      published: meta?.published ?? '',
      url: meta?.url ?? null,
      passageId: p.id,
      speaker: p.speaker,
      speakerRole: p.speakerRole,
      topic: p.topic,
      source,
    });
    this.byPassage.set(p.id, n);
    return n;
  }

  private answer(
    answered: boolean,
    headline: string,
    status: StatusInfo | null,
    suggestions: string[] = [],
  ): Answer {
    return {
      query: this.query,
      intent: this.intent,
      force: this.force,
      forceName: this.forceName,
      answered,
      headline,
      status,
      statuses: this.statuses,
      citations: answered ? this.citations : [],
      sources: answered ? this.sources : [],
      suggestions,
    };
  }

  done(headline: string): Answer {
    return this.answer(true, headline, null);
  }

  /** A status answer; an unknown stage counts as answered only when sources were still cited. */
  status(info: StatusInfo, headline: string, answered = info.stage !== 'unknown'): Answer {
    return this.answer(answered, headline, info, answered ? [] : SUGGESTIONS);
  }

  abstain(headline: string): Answer {
    return this.answer(false, headline, null, SUGGESTIONS);
  }
}
