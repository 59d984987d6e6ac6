import MiniSearch, { type SearchResult } from 'minisearch';
import type { KnowledgeBase } from '../knowledge/build.js';
import type { Passage, Topic } from '../knowledge/schema.js';
import { type Analyzer, createAnalyzer, SYNONYM_GROUPS, tokenize } from './analyzer.js';

/** One idea in a question: the words the user typed, and the synonyms that count as the same idea. */
export interface Concept {
  /** What the user typed, for explanations. */
  label: string;
  /** Alternatives; each is a list of terms that must all match. The first is what the user typed. */
  alternatives: string[][];
  /** Inverse document frequency of the rarest reading: how much finding this idea tells us. */
  weight: number;
  /** Whether any passage uses the word at all (exactly or as a prefix). A missing unknown word is a strong
   * sign the question is about something the knowledge base does not cover ("earn", "weather"). */
  known: boolean;
}

export interface SearchHit {
  passage: Passage;
  /** Share (0–1) of the question's ideas, weighted by rarity, that the passage contains; an idea the
   * knowledge base never mentions counts double against it, one it mentions elsewhere counts half. */
  coverage: number;
  /** Final ranking score. */
  score: number;
  /** Labels of the concepts matched. */
  matched: string[];
}

export interface SearchOptions {
  /** Only passages about this force. */
  force?: string | null;
  /** Prefer passages with this topic (e.g. `response` for "what did they say"). */
  topic?: Topic | null;
  limit?: number;
}

/** The passage index: MiniSearch plus the statistics the ranking needs. */
export interface PassageIndex {
  analyzer: Analyzer;
  /** Splits a question into weighted concepts (stop words dropped, synonyms attached). */
  concepts(question: string): Concept[];
  search(concepts: Concept[], opts?: SearchOptions): SearchHit[];
  size: number;
}

/**
 * Builds the MiniSearch index over sentence passages. Fields: the sentence and its speaker. Terms are
 * stemmed (place names and acronyms kept whole), stop words dropped; search adds fuzzy matching for typos,
 * prefix matching for longer words, synonyms, force filtering and topic boosting.
 */
export function buildPassageIndex(kb: KnowledgeBase): PassageIndex {
  const protectedWords = new Set<string>();
  for (const f of kb.gazetteer.forces)
    for (const phrase of [f.name, ...f.aliases])
      for (const w of tokenize(phrase)) if (!COMMON_NAME_WORDS.has(w.toLowerCase())) protectedWords.add(w);
  const analyzer = createAnalyzer(protectedWords);
  const passages = kb.passages;
  const mini = new MiniSearch<{ id: number; text: string; speaker: string }>({
    fields: ['text', 'speaker'],
    storeFields: [],
    tokenize,
    processTerm: (t) => analyzer.term(t),
  });
  const df = new Map<string, number>();
  mini.addAll(
    passages.map((p, id) => {
      for (const t of new Set(analyzer.terms(p.text))) df.set(t, (df.get(t) ?? 0) + 1);
      return { id, text: p.text, speaker: `${p.speaker ?? ''} ${p.speakerTitle ?? ''}` };
    }),
  );
  const n = Math.max(passages.length, 1);
  const idf = (term: string) => Math.log(1 + n / (1 + (df.get(term) ?? 0)));
  const vocabulary = [...df.keys()].sort();
  const known = (term: string) => {
    if (df.has(term)) return true;
    if (term.length < 5) return false;
    let lo = 0;
    let hi = vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((vocabulary[mid] ?? '') < term) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]?.startsWith(term) ?? false;
  };
  const synonymTerms = SYNONYM_GROUPS.map((g) =>
    g.map((phrase) => analyzer.terms(phrase)).filter((a) => a.length),
  );

  const concepts = (question: string): Concept[] => {
    const terms = analyzer.terms(question);
    const out: Concept[] = [];
    const used = new Set<number>();
    // Multi-word synonyms first ("special measures", "chief constable"), then single terms.
    for (const group of synonymTerms) {
      for (const alt of group) {
        const at = findSequence(terms, alt, used);
        if (at < 0) continue;
        for (let k = 0; k < alt.length; k++) used.add(at + k);
        out.push({
          label: alt.join(' '),
          alternatives: [alt, ...group.filter((g) => g !== alt)],
          weight: Math.max(...alt.map(idf)),
          known: group.some((a) => a.every(known)),
        });
        break;
      }
    }
    terms.forEach((t, i) => {
      if (used.has(i) || out.some((c) => c.alternatives[0]?.length === 1 && c.alternatives[0][0] === t))
        return;
      out.push({ label: t, alternatives: [[t]], weight: idf(t), known: known(t) });
    });
    return out;
  };

  const search = (cs: Concept[], opts: SearchOptions = {}): SearchHit[] => {
    if (cs.length === 0) return [];
    const queryTerms = [...new Set(cs.flatMap((c) => c.alternatives.flat()))];
    const force = opts.force ?? null;
    const results: SearchResult[] = mini.search(queryTerms.join(' '), {
      fields: ['text', 'speaker'],
      boost: { text: 2, speaker: 1 },
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      maxFuzzy: 2,
      prefix: (term) => term.length >= 5,
      combineWith: 'OR',
      // The terms are analysed already (stems, synonyms); analysing them again would stem a stem.
      processTerm: (t) => t,
      ...(force
        ? { filter: (r: SearchResult) => passages[r.id as number]?.forces.includes(force) ?? false }
        : {}),
    });
    const top = results[0]?.score ?? 1;
    const hits: SearchHit[] = [];
    for (const r of results) {
      const passage = passages[r.id as number];
      if (!passage) continue;
      const got = new Set(r.queryTerms);
      const matched = cs.filter((c) => c.alternatives.some((alt) => alt.every((t) => got.has(t))));
      const gained = matched.reduce((s, c) => s + c.weight, 0);
      const missing = cs.reduce(
        (s, c) => (matched.includes(c) ? s : s + c.weight * (c.known ? 0.6 : 1.2)),
        0,
      );
      const coverage = gained / (gained + missing || 1);
      let score = coverage * 10 + (r.score / top) * 2;
      if (opts.topic && passage.topic === opts.topic) score += 1.5;
      // "What did inspectors find" is not answered by the force's rebuttal, nor the reverse.
      if (opts.topic === 'finding' && passage.speakerRole === 'force') score -= 1.5;
      if (opts.topic === 'response' && passage.speakerRole === 'inspectorate') score -= 1.5;
      if (force && passage.named.includes(force)) score += 0.5;
      if (force && passage.forces[0] === force) score += 0.3;
      hits.push({ passage, coverage, score, matched: matched.map((c) => c.label) });
    }
    hits.sort((a, b) => b.score - a.score || a.passage.position - b.passage.position);
    return hits.slice(0, opts.limit ?? 20);
  };

  return { analyzer, concepts, search, size: passages.length };
}

/** Words in force names that are ordinary English: they must stem like the rest ("police"/"policing"). */
const COMMON_NAME_WORDS = new Set([
  'police',
  'constabulary',
  'service',
  'force',
  'transport',
  'defence',
  'nuclear',
  'civil',
  'ministry',
  'city',
  'railway',
  'heddlu',
  'square',
  'mile',
  'new',
  'yard',
  'the',
  'and',
  'of',
]);

function findSequence(terms: string[], seq: string[], used: Set<number>): number {
  outer: for (let i = 0; i + seq.length <= terms.length; i++) {
    for (let k = 0; k < seq.length; k++) if (terms[i + k] !== seq[k] || used.has(i + k)) continue outer;
    return i;
  }
  return -1;
}
