import type { KnowledgeBase } from '../knowledge/build.js';
import type { Passage, Topic } from '../knowledge/schema.js';
import { type Analyzer, createAnalyzer, SYNONYM_GROUPS, tokenize } from './analyzer.js';
import { Postings, PostingsBuilder, type PostingsData } from './postings.js';

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
  /** The index as plain data (typed arrays and strings) for `loadPassageIndex`: the cache and worker builds. */
  serialize(): PostingsData;
}

/**
 * Builds the MiniSearch index over sentence passages. Fields: the sentence and its speaker. Terms are
 * stemmed (place names and acronyms kept whole), stop words dropped; search adds fuzzy matching for typos,
 * prefix matching for longer words, synonyms, force filtering and topic boosting.
 */
export function buildPassageIndex(kb: KnowledgeBase): PassageIndex {
  const analyzer = analyzerFor(kb);
  const passages = kb.passages;
  const builder = new PostingsBuilder(INDEX_FIELDS.length);
  for (const p of passages) builder.add(INDEX_FIELDS.map((field) => fieldInput(analyzer, field(p))));
  return indexOver(kb, analyzer, new Postings(builder.finish()));
}

const PHRASE_GAP = String.raw`\s+(?:(?:it|itself|them|themselves|him|her|us|you)\s+)?`;

/**
 * The inspectorate's full name is one thing, not its words: "His Majesty's Inspectorate of Constabulary and
 * Fire & Rescue Services" must not answer a question about a fire and rescue service.
 */
const INSPECTORATE_NAME =
  /\b(?:(?:His|Her) Majesty[’']?s |HM |Her Majesty )?Inspectorate of Constabulary(?: and Fire (?:and|&) Rescue Services?)?/gi;

/** The indexed fields of a passage, in field order (boosts in `FIELD_BOOSTS`). */
const INDEX_FIELDS: ((p: Passage) => string)[] = [
  (p) => p.text.replace(INSPECTORATE_NAME, 'HMICFRS'),
  (p) => `${p.speaker ?? ''} ${p.speakerTitle ?? ''}`,
  // In a question-and-answer explainer, the question a sentence answers ("Does it mean officers will be
  // sacked?").
  (p) => p.heading ?? '',
];
const FIELD_BOOSTS = [2, 1, 1];
const HEADING_FIELD = 2;

function fieldInput(analyzer: Analyzer, text: string) {
  const tokens = tokenize(text);
  const terms: string[] = [];
  for (const tok of tokens) {
    const t = analyzer.term(tok);
    if (t) terms.push(t);
  }
  return { terms, length: new Set(tokens).size };
}

function analyzerFor(kb: KnowledgeBase): Analyzer {
  const protectedWords = new Set<string>();
  for (const f of kb.gazetteer.forces)
    for (const phrase of [f.name, ...f.aliases])
      for (const w of tokenize(phrase)) if (!COMMON_NAME_WORDS.has(w.toLowerCase())) protectedWords.add(w);
  return createAnalyzer(protectedWords);
}

/**
 * Rebuilds a passage index from `PassageIndex.serialize()` output for the same knowledge base (its
 * passages in the same order), without analysing any text: what a cached start and a refresh built on a
 * worker thread do.
 */
export function loadPassageIndex(
  kb: KnowledgeBase,
  from: PostingsData | Postings,
  prepared: Prepared = {},
): PassageIndex {
  const data = from instanceof Postings ? from.data : from;
  if (data.docCount !== kb.passages.length || data.fields.length !== INDEX_FIELDS.length)
    throw new Error(
      `index data does not match the knowledge base (${data.docCount} documents, ${kb.passages.length} passages)`,
    );
  return indexOver(kb, analyzerFor(kb), from instanceof Postings ? from : new Postings(data), prepared);
}

/** Parts of the index a caller has already worked out (e.g. while decoding passages), to skip a pass. */
export interface Prepared {
  /** Per force slug, a bit per passage (bit `i & 31` of word `i >>> 5`): the passages about that force. */
  byForce?: Map<string, Uint32Array>;
}

/** Passages about each force, as bitsets (what `Prepared.byForce` holds). */
function forceBits(passages: readonly Passage[]): Map<string, Uint32Array> {
  const byForce = new Map<string, Uint32Array>();
  passages.forEach((p, i) => {
    for (const f of p.forces) {
      let bits = byForce.get(f);
      if (!bits) {
        bits = new Uint32Array((passages.length >>> 5) + 1);
        byForce.set(f, bits);
      }
      bits[i >>> 5] = (bits[i >>> 5] as number) | (1 << (i & 31));
    }
  });
  return byForce;
}

function indexOver(
  kb: KnowledgeBase,
  analyzer: Analyzer,
  postings: Postings,
  prepared: Prepared = {},
): PassageIndex {
  const passages = kb.passages;
  const byForce = prepared.byForce ?? forceBits(passages);
  const df = new Map<string, number>();
  // How often a word is used in the sentences, or (for words only headings use) in the questions they answer.
  for (const t of postings.data.terms) {
    const d = postings.docFreq(t, 0) || postings.docFreq(t, HEADING_FIELD);
    if (d) df.set(t, d);
  }
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
  // A phrase that stop words shrink to one word ("take over" → "take"), or to none ("get out of"), stands
  // for its group only where the question has the phrase itself, and is not searched for on behalf of the
  // others ("next" must not find "taking too long").
  const synonymPhrases = SYNONYM_GROUPS.flatMap((group) => {
    const members = group.map((phrase) => {
      const terms = analyzer.terms(phrase);
      const shrunk = terms.length <= 1 && /\s/.test(phrase.trim());
      return {
        phrase,
        terms,
        // "get itself out of", "take it over": a pronoun may stand between the words.
        literal: shrunk ? new RegExp(`\\b${phrase.trim().replace(/\s+/g, PHRASE_GAP)}\\b`, 'i') : null,
      };
    });
    const searched = members.filter((m) => m.terms.length > 0 && !m.literal).map((m) => m.terms);
    return members
      .filter((m) => m.terms.length > 0 || m.literal)
      .map((m) => ({
        group,
        alt: m.terms,
        literal: m.literal,
        others: searched.filter((t) => t !== m.terms),
      }));
  }).sort((x, y) => y.alt.length - x.alt.length);

  const concepts = (question: string): Concept[] => {
    const terms = analyzer.terms(question);
    const out: Concept[] = [];
    const used = new Set<number>();
    // Synonyms, longest phrase first across all groups ("emergency calls" before "calls"), then single terms.
    const matchedGroups = new Set<readonly string[]>();
    for (const { group, alt, literal, others } of synonymPhrases) {
      if (matchedGroups.has(group)) continue;
      if (literal && !literal.test(question)) continue;
      const at = alt.length ? findSequence(terms, alt, used) : 0;
      if (at < 0) continue;
      for (let k = 0; k < alt.length; k++) used.add(at + k);
      matchedGroups.add(group);
      // A phrase of stop words alone ("get out of") is known by the words it stands for.
      const alternatives = alt.length ? [alt, ...others] : others;
      const typed = alternatives[0] ?? [];
      out.push({
        label: alt.length ? alt.join(' ') : typed.join(' '),
        alternatives,
        weight: Math.max(...typed.map(idf)),
        known: alternatives.some((a) => a.every(known)),
      });
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
    const raw = postings.search(queryTerms, {
      boosts: FIELD_BOOSTS,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      maxFuzzy: 2,
      prefix: (term) => term.length >= 5,
    });
    const bits = force ? byForce.get(force) : undefined;
    if (force && !bits) return [];
    const inForce = (d: number) => !bits || ((bits[d >>> 5] as number) >>> (d & 31)) & 1;
    let top = 0;
    for (let i = 0; i < raw.count; i++) {
      const d = raw.docs[i] as number;
      if (inForce(d) && (raw.scores[d] as number) > top) top = raw.scores[d] as number;
    }
    if (top === 0) top = 1;
    // Which concepts a set of matched query terms covers, worked out once per distinct set.
    const termIndex = new Map(queryTerms.map((t, i) => [t, i]));
    const altIndices = cs.map((c) => c.alternatives.map((alt) => alt.map((t) => termIndex.get(t) ?? -1)));
    const byMask = new Map<number | string, { matched: Concept[]; coverage: number }>();
    const coverageOf = (d: number) => {
      const words = raw.maskWords;
      const key =
        words === 1 ? (raw.masks[d] as number) : String(raw.masks.subarray(d * words, d * words + words));
      let got = byMask.get(key);
      if (!got) {
        const has = (t: number) => t >= 0 && ((raw.masks[d * words + (t >>> 5)] as number) >>> (t & 31)) & 1;
        const matched = cs.filter((_, ci) => altIndices[ci]?.some((alt) => alt.every(has)));
        // A short word the knowledge base never uses, matched only as a typo of another ("trending" →
        // "Trent"), is half a match; a long one is a typo ("investgations").
        const credit = (c: Concept) => (c.known || c.label.length >= 7 ? 1 : 0.5);
        const gained = matched.reduce((s, c) => s + c.weight * credit(c), 0);
        const missing = cs.reduce(
          (s, c) => s + (matched.includes(c) ? c.weight * (1 - credit(c)) : c.weight * (c.known ? 0.6 : 1.2)),
          0,
        );
        got = { matched, coverage: gained / (gained + missing || 1) };
        byMask.set(key, got);
      }
      return got;
    };
    // Keep only the best `limit` (score, then reading position, then index order) while scanning.
    const limit = opts.limit ?? 20;
    const best: Ranked[] = [];
    // Upper bound of what the passage boosts below can add (keep it in step with them): a candidate that
    // cannot reach the current last place is skipped without reading its passage.
    const maxBoost = (opts.topic ? 1.5 : 0) + (force ? 0.8 : 0);
    for (let i = 0; i < raw.count; i++) {
      const d = raw.docs[i] as number;
      if (!inForce(d)) continue;
      const rawScore = raw.scores[d] as number;
      let score = coverageOf(d).coverage * 10 + (rawScore / top) * 2;
      const worst = best.length >= limit ? best[best.length - 1] : undefined;
      if (worst && score + maxBoost < worst.score) continue;
      const passage = passages[d];
      if (!passage) continue;
      if (opts.topic && passage.topic === opts.topic) score += 1.5;
      // "What did inspectors find" is not answered by the force's rebuttal, nor the reverse.
      if (opts.topic === 'finding' && passage.speakerRole === 'force') score -= 1.5;
      if (opts.topic === 'response' && passage.speakerRole === 'inspectorate') score -= 1.5;
      if (force && passage.named.includes(force)) score += 0.5;
      if (force && passage.forces[0] === force) score += 0.3;
      const r: Ranked = { d, score, position: passage.position, raw: rawScore };
      if (worst && !ranksBefore(r, worst)) continue;
      let at = best.length;
      while (at > 0 && ranksBefore(r, best[at - 1] as Ranked)) at--;
      best.splice(at, 0, r);
      if (best.length > limit) best.pop();
    }
    return best.map(({ d, score }) => {
      const { matched, coverage } = coverageOf(d);
      return { passage: passages[d] as Passage, coverage, score, matched: matched.map((c) => c.label) };
    });
  };

  return { analyzer, concepts, search, size: passages.length, serialize: () => postings.data };
}

interface Ranked {
  d: number;
  score: number;
  position: number;
  raw: number;
}

/** Best first: final score, then reading position, then search score, then index order. */
function ranksBefore(a: Ranked, b: Ranked): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.position !== b.position) return a.position < b.position;
  if (a.raw !== b.raw) return a.raw > b.raw;
  return a.d < b.d;
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
