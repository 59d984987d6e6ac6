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

/** Passages per JSON section: small enough that one section decodes in a few milliseconds. */
const PASSAGES_PER_SECTION = 5_000;
/** Terms added to the term dictionary between yields when decoding asynchronously. */
const TERMS_PER_SLICE = 20_000;
const ARTICLES_PER_SECTION = 200;

interface Meta {
  forces: Force[];
  articles: KnowledgeBase['articles'] extends Map<string, infer M> ? M[] : never;
  issues: KnowledgeIssue[];
  /** Property names of a passage, in order; each passage row holds its values in this order. */
  passageKeys: string[];
  passageSections: number;
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
  const meta: Meta = {
    forces: [...kb.gazetteer.forces],
    articles: [...kb.articles.values()],
    issues: [...issues],
    passageKeys,
    passageSections,
    docCount: data.docCount,
    fields: data.fields.map((f) => ({ avgLength: f.avgLength })),
  };
  sections.push(json('meta', meta));
  for (let s = 0; s < passageSections; s++)
    sections.push(json(`passages.${s}`, rows(s * PASSAGES_PER_SECTION, (s + 1) * PASSAGES_PER_SECTION)));
  sections.push(json('dropped', [...kb.dropped]));
  const bodies = new Map(articles.map((a) => [a.id, a.paragraphs]));
  for (let s = 0; s * ARTICLES_PER_SECTION < articleIds.length; s++)
    sections.push(
      json(
        `paragraphs.${s}`,
        articleIds
          .slice(s * ARTICLES_PER_SECTION, (s + 1) * ARTICLES_PER_SECTION)
          .map((id) => bodies.get(id) ?? []),
      ),
    );
  const passageIndex = new Map(passages.map((p, i) => [p, i]));
  sections.push({
    name: 'statuses',
    // Passages inside the timelines become {$p: index}; everything else is kept as it is.
    bytes: encoder.encode(
      JSON.stringify([...engine.statuses], (_k, v) => {
        const i = typeof v === 'object' && v !== null ? passageIndex.get(v as Passage) : undefined;
        return i === undefined ? v : { $p: i };
      }),
    ),
  });
  sections.push(json('terms', data.terms));
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
 * Decodes in slices, yielding to the event loop between them (`setImmediate`), so a main thread that is
 * answering questions is never blocked for long: what a refresh built on a worker thread uses.
 */
export async function decodeEngineAsync(sections: readonly Section[]): Promise<DecodedEngine> {
  const run = decodeSteps(sections);
  for (let r = run.next(); ; r = run.next()) {
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

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
  for (let s = 0; s < meta.passageSections; s++) {
    yield;
    const rows = parse(`passages.${s}`) as unknown[][];
    for (const row of rows) {
      const p: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        const v = row[i];
        if (k === 'articleId') p[k] = articleIds[v as number];
        else if (Array.isArray(v)) p[k] = v.map((x) => (typeof x === 'string' ? str(x) : x));
        else if (typeof v === 'string' && k !== 'text') p[k] = str(v);
        else p[k] = v;
      });
      if (p.id === 0) p.id = `${p.articleId}#${p.paragraph}.${p.sentence}`;
      const passage = p as unknown as Passage;
      const list = kb.byArticle.get(passage.articleId);
      if (!list) throw new Error(`passage of an unknown article ${String(p.articleId)}`);
      list.push(passage);
      kb.passages.push(passage);
    }
  }
  if (kb.passages.length !== meta.docCount) throw new Error('snapshot passages do not match its index');
  yield;
  kb.dropped = new Map(parse('dropped') as [string, DroppedParagraph[]][]);
  const articles: Article[] = [];
  for (let s = 0; s * ARTICLES_PER_SECTION < meta.articles.length; s++) {
    yield;
    const bodies = parse(`paragraphs.${s}`) as string[][];
    meta.articles.slice(s * ARTICLES_PER_SECTION, (s + 1) * ARTICLES_PER_SECTION).forEach((a, i) => {
      articles.push({ ...a, paragraphs: bodies[i] ?? [] });
    });
  }
  yield;
  const statuses = new Map<string, ForceStatus>(
    JSON.parse(decoder.decode(need('statuses')), (_k, v) => {
      if (typeof v === 'object' && v !== null && typeof v.$p === 'number') {
        const p = kb.passages[v.$p];
        if (!p) throw new Error('status evidence points past the passages');
        return p;
      }
      return v;
    }),
  );
  yield;
  const terms = parse('terms') as string[];
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
  for (let from = 0; from < terms.length; from += TERMS_PER_SLICE) {
    yield;
    postings.addVocab(from, from + TERMS_PER_SLICE);
  }
  yield;
  const index = loadPassageIndex(kb, postings);
  yield;
  const engine = assembleEngine(kb, index, statuses);
  return { engine, issues: meta.issues, forces: meta.forces, articles };
}

/** A typed view of section bytes; copied when the bytes are not aligned for the type. */
function view<T extends Uint32Array | Uint16Array>(
  bytes: Uint8Array,
  Type: { new (b: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) throw new Error('snapshot section has a partial element');
  const aligned =
    bytes.byteOffset % size === 0 && bytes.buffer instanceof ArrayBuffer ? bytes : new Uint8Array(bytes);
  return new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / size);
}
