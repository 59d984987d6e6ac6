import type { KnowledgeBase } from '../knowledge/build.js';
import type { DroppedParagraph } from '../knowledge/clean.js';
import { createGazetteer } from '../knowledge/gazetteer.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import type { Article, Force, Passage } from '../knowledge/schema.js';
import { loadPassageIndex } from '../search/index.js';
import { type FieldPostings, Postings, type PostingsData } from '../search/postings.js';
import { assembleEngine, type Engine } from './compose.js';
import type { ForceStatus } from './status.js';

/**
 * A built engine as a list of named byte sections: JSON for the annotated passages, article metadata and
 * status timelines, raw typed-array bytes for the index. The cache file stores these sections; a worker
 * thread hands them to the main thread (transferring the buffers, no copy). Decoding never re-runs the
 * pipeline, and the async decoder yields between sections so answers keep flowing while it works.
 */
export interface Section {
  name: string;
  bytes: Uint8Array;
}

/** Passages per JSON section: small enough that one section parses in a millisecond or two. */
const PASSAGES_PER_SECTION = 1_000;
/** Terms per JSON section, and added to the term dictionary per step. */
const TERMS_PER_SECTION = 5_000;
const ARTICLES_PER_SECTION = 100;
/** Passages turned into objects per step of the decoder. */
const PASSAGES_PER_STEP = 250;
/** How long the async decoder works before it yields to the event loop. */
const DEFAULT_SLICE_MS = 4;

interface Meta {
  forces: Force[];
  articles: KnowledgeBase['articles'] extends Map<string, infer M> ? M[] : never;
  issues: KnowledgeIssue[];
  /** Property names of a passage, in order; each passage row holds its values in this order. */
  passageKeys: string[];
  passageSections: number;
  termSections: number;
  /** Forces with a status timeline (`statuses.<i>` holds the i-th). */
  statusCount: number;
  docCount: number;
  fields: { avgLength: number }[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (name: string, value: unknown): Section => ({
  name,
  bytes: encoder.encode(JSON.stringify(value)),
});
const raw = (name: string, a: Uint32Array | Uint16Array): Section => ({
  name,
  bytes: new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
});

/**
 * Encodes an engine; `issues` are kept so a cached start reports the same problems as a cold one, and
 * the articles' paragraphs (from `loaded.articles`) so `kb show` and checks see the same bodies.
 */
export function encodeEngine(
  engine: Engine,
  issues: readonly KnowledgeIssue[] = [],
  articles: readonly Article[] = [],
): Section[] {
  const { kb } = engine;
  const passages = kb.passages;
  const articleIds = [...kb.articles.keys()];
  const articleIndex = new Map(articleIds.map((id, i) => [id, i]));
  const passageKeys = Object.keys(passages[0] ?? {});
  const rows = (from: number, to: number) =>
    passages.slice(from, to).map((p) =>
      passageKeys.map((k) => {
        if (k === 'articleId') return articleIndex.get(p.articleId);
        // The id is derived from the article and position unless it was ever written differently.
        if (k === 'id') return p.id === `${p.articleId}#${p.paragraph}.${p.sentence}` ? 0 : p.id;
        return (p as unknown as Record<string, unknown>)[k];
      }),
    );
  const data = engine.index.serialize();
  const sections: Section[] = [];
  const passageSections = Math.ceil(passages.length / PASSAGES_PER_SECTION);
  const statuses = [...engine.statuses];
  const termSections = Math.ceil(data.terms.length / TERMS_PER_SECTION);
  const meta: Meta = {
    forces: [...kb.gazetteer.forces],
    articles: [...kb.articles.values()],
    issues: [...issues],
    passageKeys,
    passageSections,
    termSections,
    statusCount: statuses.length,
    docCount: data.docCount,
    fields: data.fields.map((f) => ({ avgLength: f.avgLength })),
  };
  sections.push(json('meta', meta));
  for (let s = 0; s < passageSections; s++)
    sections.push(json(`passages.${s}`, rows(s * PASSAGES_PER_SECTION, (s + 1) * PASSAGES_PER_SECTION)));
  const bodies = new Map(articles.map((a) => [a.id, a.paragraphs]));
  for (let s = 0; s * ARTICLES_PER_SECTION < articleIds.length; s++) {
    const ids = articleIds.slice(s * ARTICLES_PER_SECTION, (s + 1) * ARTICLES_PER_SECTION);
    sections.push(
      json(
        `dropped.${s}`,
        ids.map((id) => kb.dropped.get(id) ?? null),
      ),
    );
    sections.push(
      json(
        `paragraphs.${s}`,
        ids.map((id) => bodies.get(id) ?? []),
      ),
    );
  }
  const passageIndex = new Map(passages.map((p, i) => [p, i]));
  statuses.forEach((entry, i) => {
    sections.push({
      name: `statuses.${i}`,
      // Passages inside the timelines become {$p: index}; everything else is kept as it is.
      bytes: encoder.encode(
        JSON.stringify(entry, (_k, v) => {
          const at = typeof v === 'object' && v !== null ? passageIndex.get(v as Passage) : undefined;
          return at === undefined ? v : { $p: at };
        }),
      ),
    });
  });
  for (let s = 0; s < termSections; s++)
    sections.push(json(`terms.${s}`, data.terms.slice(s * TERMS_PER_SECTION, (s + 1) * TERMS_PER_SECTION)));
  data.fields.forEach((f, i) => {
    sections.push(raw(`field.${i}.offsets`, f.offsets));
    sections.push(raw(`field.${i}.docs`, f.docs));
    sections.push(raw(`field.${i}.tfs`, f.tfs));
    sections.push(raw(`field.${i}.lengths`, f.lengths));
  });
  return sections;
}

/** What a decoded snapshot gives back besides the engine. */
export interface DecodedEngine {
  engine: Engine;
  issues: KnowledgeIssue[];
  forces: Force[];
  /** The articles as loaded, paragraphs included. */
  articles: Article[];
}

/** Decodes in one go (a cached start, where nothing else is waiting). Throws on malformed sections. */
export function decodeEngine(sections: readonly Section[]): DecodedEngine {
  const run = decodeSteps(sections);
  for (let r = run.next(); ; r = run.next()) if (r.done) return r.value;
}

/**
 * Decodes in slices of about `sliceMs` milliseconds (default 4), then pauses as long as the slice took
 * (a timer), so the decoder takes at most half of the thread and whatever else is waiting — questions —
 * runs first: what a refresh built on a worker thread uses.
 */
export async function decodeEngineAsync(
  sections: readonly Section[],
  opts: { sliceMs?: number } = {},
): Promise<DecodedEngine> {
  const budget = opts.sliceMs ?? DEFAULT_SLICE_MS;
  const run = decodeSteps(sections);
  let started = performance.now();
  for (let r = run.next(); ; r = run.next()) {
    if (r.done) return r.value;
    const took = performance.now() - started;
    if (took < budget) continue;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(took, 50)));
    started = performance.now();
  }
}

/** The decoder as small steps: each `yield` is a point where the async decoder may hand the thread back. */
function* decodeSteps(sections: readonly Section[]): Generator<void, DecodedEngine> {
  const byName = new Map(sections.map((s) => [s.name, s.bytes]));
  const need = (name: string) => {
    const b = byName.get(name);
    if (!b) throw new Error(`snapshot has no "${name}" section`);
    return b;
  };
  const parse = (name: string) => JSON.parse(decoder.decode(need(name)));
  const meta = parse('meta') as Meta;
  const gazetteer = createGazetteer(meta.forces);
  const intern = new Map<string, string>();
  const str = (s: string) => {
    const hit = intern.get(s);
    if (hit !== undefined) return hit;
    intern.set(s, s);
    return s;
  };
  for (const f of meta.forces) str(f.slug);
  const kb: KnowledgeBase = {
    articles: new Map(meta.articles.map((a) => [a.id, a])),
    passages: [],
    byArticle: new Map(meta.articles.map((a) => [a.id, []])),
    dropped: new Map(),
    gazetteer,
  };
  const articleIds = meta.articles.map((a) => a.id);
  const keys = meta.passageKeys;
  const idAt = keys.indexOf('id');
  const articleAt = keys.indexOf('articleId');
  const forcesAt = keys.indexOf('forces');
  // Which passages are about each force: the index's force filter, filled while the passages are decoded.
  const words = (meta.docCount >>> 5) + 1;
  const byForce = new Map<string, Uint32Array>();
  for (let s = 0; s < meta.passageSections; s++) {
    yield;
    const rows = parse(`passages.${s}`) as unknown[][];
    for (let r = 0; r < rows.length; r++) {
      if (r > 0 && r % PASSAGES_PER_STEP === 0) yield;
      const row = rows[r] as unknown[];
      const p: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = row[i];
        if (i === articleAt) p[k] = articleIds[v as number];
        else if (Array.isArray(v)) p[k] = v.map((x) => (typeof x === 'string' ? str(x) : x));
        else if (typeof v === 'string' && k !== 'text') p[k] = str(v);
        else p[k] = v;
      }
      if (idAt >= 0 && p.id === 0) p.id = `${p.articleId}#${p.paragraph}.${p.sentence}`;
      const passage = p as unknown as Passage;
      const list = kb.byArticle.get(passage.articleId);
      if (!list) throw new Error(`passage of an unknown article ${String(row[articleAt])}`);
      const d = kb.passages.length;
      if (d >= meta.docCount) throw new Error('snapshot passages do not match its index');
      if (forcesAt >= 0)
        for (const f of passage.forces) {
          let bits = byForce.get(f);
          if (!bits) {
            bits = new Uint32Array(words);
            byForce.set(f, bits);
          }
          bits[d >>> 5] = (bits[d >>> 5] as number) | (1 << (d & 31));
        }
      list.push(passage);
      kb.passages.push(passage);
    }
  }
  if (kb.passages.length !== meta.docCount) throw new Error('snapshot passages do not match its index');
  // Article bodies are only read by previews and checks: each section is parsed on first use.
  const articles: Article[] = [];
  for (let s = 0; s * ARTICLES_PER_SECTION < meta.articles.length; s++) {
    yield;
    const dropped = parse(`dropped.${s}`) as (DroppedParagraph[] | null)[];
    const bodies = lazySection<string[][]>(need(`paragraphs.${s}`));
    meta.articles.slice(s * ARTICLES_PER_SECTION, (s + 1) * ARTICLES_PER_SECTION).forEach((a, i) => {
      const gone = dropped[i];
      if (gone) kb.dropped.set(a.id, gone);
      articles.push(withLazyParagraphs(a, () => bodies()[i] ?? []));
    });
  }
  const statuses = new Map<string, ForceStatus>();
  for (let i = 0; i < meta.statusCount; i++) {
    yield;
    const [slug, status] = JSON.parse(decoder.decode(need(`statuses.${i}`)), (_k, v) => {
      if (typeof v === 'object' && v !== null && typeof v.$p === 'number') {
        const p = kb.passages[v.$p];
        if (!p) throw new Error('status evidence points past the passages');
        return p;
      }
      return v;
    }) as [string, ForceStatus];
    statuses.set(slug, status);
  }
  const terms: string[] = [];
  for (let s = 0; s < meta.termSections; s++) {
    yield;
    for (const t of parse(`terms.${s}`) as string[]) terms.push(t);
  }
  const fields: FieldPostings[] = meta.fields.map((f, i) => ({
    offsets: view(need(`field.${i}.offsets`), Uint32Array),
    docs: view(need(`field.${i}.docs`), Uint32Array),
    tfs: view(need(`field.${i}.tfs`), Uint16Array),
    lengths: view(need(`field.${i}.lengths`), Uint16Array),
    avgLength: f.avgLength,
  }));
  for (const f of fields) {
    const last = f.offsets[f.offsets.length - 1];
    if (f.offsets.length !== terms.length + 1 || last !== f.docs.length || f.tfs.length !== f.docs.length)
      throw new Error('snapshot index sections are inconsistent');
    if (f.lengths.length !== meta.docCount) throw new Error('snapshot field lengths are inconsistent');
  }
  const data: PostingsData = { docCount: meta.docCount, terms, fields };
  const postings = new Postings(data, { lazyVocab: true });
  for (let from = 0; from < terms.length; from += TERMS_PER_SECTION) {
    yield;
    postings.addVocab(from, from + TERMS_PER_SECTION);
  }
  yield;
  const index = loadPassageIndex(kb, postings, { byForce });
  yield;
  const engine = assembleEngine(kb, index, statuses);
  return { engine, issues: meta.issues, forces: meta.forces, articles };
}

/** Parses a JSON section on first call; keeps only its own bytes (not a whole cache file) until then. */
function lazySection<T>(bytes: Uint8Array): () => T {
  let own: Uint8Array | null = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  let value: T | undefined;
  return () => {
    if (own) {
      value = JSON.parse(decoder.decode(own)) as T;
      own = null;
    }
    return value as T;
  };
}

/** An article whose `paragraphs` are read on first access (then kept, as a plain property). */
function withLazyParagraphs(meta: Omit<Article, 'paragraphs'>, load: () => string[]): Article {
  const article = { ...meta } as Article;
  const settle = (value: string[]) => {
    Object.defineProperty(article, 'paragraphs', {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return value;
  };
  Object.defineProperty(article, 'paragraphs', {
    enumerable: true,
    configurable: true,
    get: () => settle(load()),
    set: settle,
  });
  return article;
}

/**
 * A typed view of section bytes; copied when the bytes are not aligned for the type or are part of a larger
 * buffer (a whole cache file, which would otherwise stay in memory for as long as the index).
 */
function view<T extends Uint32Array | Uint16Array>(
  bytes: Uint8Array,
  Type: { new (b: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) throw new Error('snapshot section has a partial element');
  const own =
    bytes.byteOffset % size === 0 &&
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteLength === bytes.buffer.byteLength;
  const aligned = own ? bytes : new Uint8Array(bytes);
  return new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / size);
}
