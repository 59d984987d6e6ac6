import SearchableMap from 'minisearch/SearchableMap';

/**
 * A compact inverted index: one term dictionary (MiniSearch's radix tree, for exact, prefix and fuzzy
 * look-ups) and, per field, postings in flat typed arrays (CSR: `offsets[t]..offsets[t+1]` are the
 * documents of term `t`, in increasing order). Scoring reproduces MiniSearch 7's `search` (BM25+ with
 * k 1.2, b 0.7, d 0.5; prefix weight 0.375 and fuzzy weight 0.45 by length and distance; OR combination;
 * the final score multiplied by the number of distinct query terms matched) — but with no per-document
 * objects, so a query costs a pass over its postings and a few typed arrays reused between queries.
 *
 * Why not MiniSearch itself: its result objects (one per matching document and query) dominate answer
 * latency at 100,000 passages, and its `Map` postings cost ~80 bytes per posting against 6 here.
 */

export interface FieldPostings {
  /** `terms.length + 1` offsets into `docs`/`tfs`. */
  offsets: Uint32Array;
  docs: Uint32Array;
  tfs: Uint16Array;
  /** Per document: distinct raw tokens in the field (MiniSearch's field length). */
  lengths: Uint16Array;
  avgLength: number;
}

/** Everything that defines the index; plain data, so it can be cached and sent between threads. */
export interface PostingsData {
  docCount: number;
  /** Term of each term id. */
  terms: string[];
  fields: FieldPostings[];
}

/** One field's worth of a document: processed terms (with repeats) and its length. */
export interface FieldInput {
  terms: readonly string[];
  length: number;
}

/** Accumulates documents in id order (0, 1, 2, …) and packs them into `PostingsData`. */
export class PostingsBuilder {
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly pending: { term: Grow32; doc: Grow32; tf: Grow16; lengths: Grow16 }[];
  private docCount = 0;

  constructor(fieldCount: number) {
    this.pending = Array.from({ length: fieldCount }, () => ({
      term: new Grow32(),
      doc: new Grow32(),
      tf: new Grow16(),
      lengths: new Grow16(),
    }));
  }

  add(fields: readonly FieldInput[]): number {
    const doc = this.docCount++;
    const counts = new Map<number, number>();
    fields.forEach((f, i) => {
      const p = this.pending[i];
      if (!p) throw new Error(`field ${i} out of range`);
      p.lengths.push(Math.min(f.length, 0xffff));
      counts.clear();
      for (const t of f.terms) {
        let id = this.ids.get(t);
        if (id === undefined) {
          id = this.terms.length;
          this.ids.set(t, id);
          this.terms.push(t);
        }
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      for (const [id, n] of counts) {
        p.term.push(id);
        p.doc.push(doc);
        p.tf.push(Math.min(n, 0xffff));
      }
    });
    return doc;
  }

  finish(): PostingsData {
    const termCount = this.terms.length;
    const fields = this.pending.map((p): FieldPostings => {
      const n = p.term.length;
      const offsets = new Uint32Array(termCount + 1);
      const termIds = p.term.view();
      for (let i = 0; i < n; i++) {
        const slot = (termIds[i] as number) + 1;
        offsets[slot] = (offsets[slot] as number) + 1;
      }
      for (let t = 0; t < termCount; t++)
        offsets[t + 1] = (offsets[t + 1] as number) + (offsets[t] as number);
      const cursor = offsets.slice(0, termCount);
      const docs = new Uint32Array(n);
      const tfs = new Uint16Array(n);
      const docIn = p.doc.view();
      const tfIn = p.tf.view();
      // Documents were added in increasing order, so each term's list comes out sorted.
      for (let i = 0; i < n; i++) {
        const t = termIds[i] as number;
        const at = cursor[t] as number;
        cursor[t] = at + 1;
        docs[at] = docIn[i] as number;
        tfs[at] = tfIn[i] as number;
      }
      const lengths = p.lengths.view().slice();
      let sum = 0;
      for (let i = 0; i < lengths.length; i++) sum += lengths[i] as number;
      return { offsets, docs, tfs, lengths, avgLength: lengths.length ? sum / lengths.length : 0 };
    });
    return { docCount: this.docCount, terms: this.terms, fields };
  }
}

export interface QueryOptions {
  /** Boost of each field, in field order. */
  boosts: readonly number[];
  /** Fuzziness of a query term: false, an edit distance ≥ 1, or a fraction of its length (MiniSearch). */
  fuzzy: (term: string) => number | false;
  maxFuzzy: number;
  prefix: (term: string) => boolean;
}

/**
 * Results of one query, valid until the next query on the same index (the arrays are reused). For
 * `i < count`: document `docs[i]` scored `scores[docs[i]]`; the query terms it matched are the set bits
 * of `masks[docs[i] * maskWords + w]`.
 */
export interface RawResults {
  count: number;
  docs: Uint32Array;
  scores: Float64Array;
  masks: Uint32Array;
  maskWords: number;
}

const K = 1.2;
const B = 0.7;
const D = 0.5;
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** The searchable form of `PostingsData`. */
export class Postings {
  readonly vocab = new SearchableMap<number>();
  private scores: Float64Array;
  private masks: Uint32Array;
  private seen: Uint8Array;
  private touched: Uint32Array;
  private quality: Uint8Array;

  /** With `lazyVocab`, the term dictionary is filled by `addVocab` calls (in slices, between yields). */
  constructor(
    readonly data: PostingsData,
    opts: { lazyVocab?: boolean } = {},
  ) {
    if (!opts.lazyVocab) this.addVocab(0, data.terms.length);
    const n = data.docCount;
    this.scores = new Float64Array(n);
    this.masks = new Uint32Array(n);
    this.seen = new Uint8Array(n);
    this.touched = new Uint32Array(n);
    this.quality = new Uint8Array(n);
  }

  /** Adds terms `from`..`to` (exclusive) to the term dictionary. */
  addVocab(from: number, to: number): void {
    const { terms } = this.data;
    for (let i = from; i < Math.min(to, terms.length); i++) this.vocab.set(terms[i] as string, i);
  }

  /** Documents whose `field` contains the term exactly. */
  docFreq(term: string, field = 0): number {
    const id = this.vocab.get(term);
    const f = this.data.fields[field];
    if (id === undefined || !f) return 0;
    return (f.offsets[id + 1] as number) - (f.offsets[id] as number);
  }

  /** Scores every document matching any of `terms` (already analysed, distinct). */
  search(terms: readonly string[], opts: QueryOptions): RawResults {
    const n = this.data.docCount;
    const maskWords = Math.max(1, Math.ceil(terms.length / 32));
    if (this.masks.length < n * maskWords) this.masks = new Uint32Array(n * maskWords);
    const { scores, masks, seen, touched, quality } = this;
    // Clear what the previous query touched (cheaper than clearing everything).
    let count = 0;
    const { fields, docCount } = this.data;
    const add = (termIndex: number, id: number, weight: number) => {
      const word = termIndex >>> 5;
      const bit = 1 << (termIndex & 31);
      for (let fi = 0; fi < fields.length; fi++) {
        const f = fields[fi] as FieldPostings;
        const boost = opts.boosts[fi] ?? 0;
        if (!boost) continue;
        const start = f.offsets[id] as number;
        const end = f.offsets[id + 1] as number;
        if (start === end) continue;
        const matching = end - start;
        const idf = Math.log(1 + (docCount - matching + 0.5) / (matching + 0.5));
        const w = weight * boost * idf;
        const norm = K * (1 - B);
        const perLength = (K * B) / (f.avgLength || 1);
        for (let p = start; p < end; p++) {
          const doc = f.docs[p] as number;
          const tf = f.tfs[p] as number;
          const s = w * (D + (tf * (K + 1)) / (tf + norm + perLength * (f.lengths[doc] as number)));
          if (!seen[doc]) {
            seen[doc] = 1;
            touched[count++] = doc;
            scores[doc] = s;
            quality[doc] = 0;
            for (let k = 0; k < maskWords; k++) masks[doc * maskWords + k] = 0;
          } else scores[doc] = (scores[doc] as number) + s;
          const m = doc * maskWords + word;
          if (!((masks[m] as number) & bit)) {
            masks[m] = (masks[m] as number) | bit;
            quality[doc] = (quality[doc] as number) + 1;
          }
        }
      }
    };
    terms.forEach((term, ti) => {
      const exact = this.vocab.get(term);
      if (exact !== undefined) add(ti, exact, 1);
      const prefixed = new Set<string>();
      if (opts.prefix(term)) {
        for (const [t, id] of this.vocab.atPrefix(term)) {
          const distance = t.length - term.length;
          if (!distance) continue;
          prefixed.add(t);
          add(ti, id, (PREFIX_WEIGHT * t.length) / (t.length + 0.3 * distance));
        }
      }
      const fuzzy = opts.fuzzy(term);
      if (fuzzy !== false) {
        const max = fuzzy < 1 ? Math.min(opts.maxFuzzy, Math.round(term.length * fuzzy)) : fuzzy;
        if (max)
          for (const [t, [id, distance]] of this.vocab.fuzzyGet(term, max)) {
            if (!distance || prefixed.has(t)) continue;
            add(ti, id, (FUZZY_WEIGHT * t.length) / (t.length + distance));
          }
      }
    });
    for (let i = 0; i < count; i++) {
      const doc = touched[i] as number;
      seen[doc] = 0;
      scores[doc] = (scores[doc] as number) * (quality[doc] as number);
    }
    return { count, docs: touched, scores, masks, maskWords };
  }
}

class Grow32 {
  private buf = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Uint32Array {
    return this.buf.subarray(0, this.length);
  }
}

class Grow16 {
  private buf = new Uint16Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint16Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  view(): Uint16Array {
    return this.buf.subarray(0, this.length);
  }
}
