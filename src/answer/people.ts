import type { KnowledgeBase } from '../knowledge/build.js';
import type { Passage } from '../knowledge/schema.js';
import { TITLE_WORDS } from '../knowledge/vocabulary.js';
import { policingArticles } from './scope.js';

/** Someone the articles quote by name, with everything they are quoted as saying. */
export interface QuotedPerson {
  name: string;
  /** Their passages, in the order of the knowledge base (article, then reading order). */
  passages: Passage[];
  /** The force at least half their words are about, if any. */
  force: string | null;
}

/** A name as articles print them: two to four capitalised words ("Craig Guildford", "Mary-Ann O’Neill"). */
const PERSON_NAME = /^\p{Lu}[\p{L}’'-]+(?:\s+\p{Lu}[\p{L}’'-]+){1,3}$/u;
/** Names of bodies, not people: "Cleveland Police", "Home Office", "Police Federation". */
const ORGANISATION =
  /\b(?:Police|Constabulary|Service|Services|Council|Inspectorate|Office|Commission|Federation|Department|Authority|Trust|Group|Committee|Panel|Party|Force|Unit|Agency|Government|Ministry|Association|Union|Board|News)\b/;
/** Words that may precede a surname in a question: "Ms Rolfe", "chief constable Guildford". */
const TITLE_BEFORE =
  /(?:^|\s)(?:mr|mrs|ms|miss|dr|prof|sir|dame|sgt|supt|cllr|councillor|commissioner|constable|inspector|superintendent|chief|minister|mp)\.?\s+$/i;

const cache = new WeakMap<KnowledgeBase, QuotedPerson[]>();

/** Everyone quoted by name in the knowledge base, worked out once per knowledge base. */
function quotedPeople(kb: KnowledgeBase): QuotedPerson[] {
  const known = cache.get(kb);
  if (known) return known;
  const byName = new Map<string, Passage[]>();
  for (const p of kb.passages) {
    if (!p.speaker || !PERSON_NAME.test(p.speaker) || ORGANISATION.test(p.speaker)) continue;
    // "The Chief Constable" is a rank, not a name.
    if (p.speaker.split(/\s+/).every((w) => TITLE_WORDS.has(w.toLowerCase()))) continue;
    if (kb.gazetteer.mentions(p.speaker).length > 0) continue;
    const list = byName.get(p.speaker) ?? [];
    list.push(p);
    byName.set(p.speaker, list);
  }
  // An opinion piece is its author's own words: every sentence not quoting someone else.
  for (const [id, meta] of kb.articles) {
    if (!meta.author || !isOpinion(meta.title, meta.tags)) continue;
    const own = (kb.byArticle.get(id) ?? []).filter((p) => p.speaker === null || p.speaker === meta.author);
    const list = byName.get(meta.author) ?? [];
    list.push(...own);
    byName.set(meta.author, list);
  }
  const policing = policingArticles(kb);
  const people = [...byName]
    .map(([name, passages]) => ({ name, passages: passages.filter((p) => policing.has(p.articleId)) }))
    .filter((x) => x.passages.length > 0)
    .map((x) => ({ ...x, force: mainForce(x.passages) }));
  cache.set(kb, people);
  return people;
}

/** "Opinion: …", "Comment: …", or tagged so: a piece that argues, written in its author's own voice. */
function isOpinion(title: string, tags: readonly string[] = []): boolean {
  return (
    /^(?:opinion|comment|analysis|column|viewpoint|my view)\b/i.test(title) ||
    tags.some((t) => /^(?:opinion|comment|column)$/i.test(t))
  );
}

function mainForce(passages: readonly Passage[]): string | null {
  const counts = new Map<string, number>();
  for (const p of passages) {
    const f = p.forces[0];
    if (f) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  const [top] = [...counts].sort((a, b) => b[1] - a[1]);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  // Someone speaking about many forces (a commentator) speaks for none of them.
  return top && top[1] * 2 >= total ? top[0] : null;
}

/**
 * The quoted person a question names: by full name in any case ("what did donna fairweather say"), or by
 * surname when it is written with a capital or after a title ("what has Olawale said", "ms rolfe"), so
 * that an ordinary word that happens to be a surname is not taken for one.
 *
 * @example personAsked(kb, 'What did Helen Marchbank tell the panel?')?.name // 'Helen Marchbank'
 */
export function personAsked(kb: KnowledgeBase, question: string): QuotedPerson | null {
  const lower = question.toLowerCase();
  let best: { person: QuotedPerson; strength: number } | null = null;
  for (const person of quotedPeople(kb)) {
    const strength = mentionStrength(person.name, question, lower);
    if (
      strength > 0 &&
      (!best ||
        strength > best.strength ||
        (strength === best.strength && person.passages.length > best.person.passages.length))
    )
      best = { person, strength };
  }
  return best?.person ?? null;
}

/** 2: the full name; 1: the surname, capitalised or after a title; 0: not named. */
function mentionStrength(name: string, question: string, lower: string): number {
  if (wordAt(lower, name.toLowerCase()) >= 0) return 2;
  const surname = name.split(/\s+/).at(-1) ?? '';
  if (surname.length < 3) return 0;
  for (
    let at = wordAt(lower, surname.toLowerCase());
    at >= 0;
    at = wordAt(lower, surname.toLowerCase(), at + 1)
  ) {
    if (question.startsWith(surname, at) || TITLE_BEFORE.test(question.slice(0, at))) return 1;
  }
  return 0;
}

/** Index of `word` in `text` as a whole word (possessive allowed: "Guildford's"), or -1. */
function wordAt(text: string, word: string, from = 0): number {
  for (let at = text.indexOf(word, from); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if (
      (before === undefined || !/[\p{L}\p{N}]/u.test(before)) &&
      (after === undefined || !/[\p{L}\p{N}]/u.test(after))
    )
      return at;
  }
  return -1;
}
