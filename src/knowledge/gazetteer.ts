import type { Force } from './schema.js';
import { maxTypos, osaDistance } from './typos.js';

/** A force named in article text; `start`/`end` are UTF-16 offsets into the input, `text` the exact slice. */
export interface ForceMention {
  slug: string;
  start: number;
  end: number;
  text: string;
}

/** A force a user probably means; `score` is 1 for an exact slug or name and lower for looser matches. */
export interface ForceMatch {
  slug: string;
  score: number;
  via: 'slug' | 'name' | 'alias' | 'fuzzy';
  /** Where in the question the force was named (as typed, typos and all), for `findInQuestion`. */
  span?: { start: number; end: number };
}

export interface Gazetteer {
  forces: readonly Force[];
  bySlug(slug: string): Force | undefined;
  /** Forces named in article text (case-aware: "the Met"/"Met Police"/"Met's" are the force; "we met", "met with", "the met office" are not). Longest match wins; no overlapping mentions. */
  mentions(text: string): ForceMention[];
  /** What force a user means by a query fragment or whole question: any case, typos (e.g. "west midlnads", "wilthsire", "metropolitian"), abbreviations ("wmp", "gmp", "staffs", "the met"), slugs ("west-midlands"). Returns the best match or null if nothing is close enough. */
  resolve(input: string): ForceMatch | null;
  /** Forces named in a user's free-text question (lower-case allowed, typos allowed for tokens of 5+ letters), best first. Must not match "met" in "I met the chief" or "when we met"; must match "is the met still in special measures", "met police". */
  findInQuestion(question: string): ForceMatch[];
  /** Autocomplete: up to `limit` (default 25) forces whose slug, name or alias starts with or contains the typed text, ranked (prefix of name > prefix of alias > contains > fuzzy); forces in `preferred` (e.g. those with evidence) ranked first among equals. Empty input → preferred first, then alphabetical. */
  suggest(input: string, opts?: { limit?: number; preferred?: ReadonlySet<string> }): Force[];
}

/*
 * Conventions read from knowledge/forces.json (the schema has no room for flags, so they live in the text):
 * - An alias written entirely in lower case ("avon", "swp", "transport police") is something users type but
 *   news text does not reliably mean: it is used by resolve/findInQuestion/suggest, never by mentions.
 * - In article text a one-word alias ("Wiltshire", "Staffs", "Met"), an acronym ("WMP", "CoLP") and the word
 *   "Met" inside a longer alias must appear with exactly the alias's capitals; other multi-word aliases
 *   ("Greater Manchester", "Birmingham police") match in any case.
 * - "Met" and "the Met" are contextual: the bare word is the force only after "the", before "Police"/"'s" or
 *   before a police word ("officers", "commissioner"…), and never before "Office", "Gala", "Opera"….
 * - City aliases always carry "police" ("Birmingham police"), so a place alone never names a force in a
 *   question ("police in Birmingham", "Birmingham's force" do); resolve(), which is asked for a force,
 *   also accepts the city without "police".
 */

/** Words that say "police" rather than where: they alone never identify a force. */
const POLICE_WORDS = new Set(['police', 'constabulary', 'heddlu', 'poileas', 'yard']);
/** Stripped from user input before comparing keys in resolve ("west midlands force" → "west midlands"). */
const STRIP_WORDS = new Set(['police', 'constabulary', 'force', 'service', 'the', 'heddlu']);
/** Never corrected by the fuzzy matcher and never enough for a match on their own. */
const STOP_WORDS = new Set([...STRIP_WORDS, 'forces', 'of', 'and', 'in', 'for', 'is', 'are', 'a', 'an']);
/** Acronyms that are ordinary words in lower case ("MPs"): in questions they must be typed in capitals. */
const QUESTION_CASE_SENSITIVE = new Set(['mps']);
/** Words that stay case-sensitive in article text even inside a multi-word alias ("met police" is a verb). */
const TEXT_CASE_SENSITIVE = new Set(['met']);

/** After "the"/before these words, "Met" is the force. */
const MET_CONTEXT_AFTER = new Set([
  'police',
  'officer',
  'officers',
  'commissioner',
  'commissioners',
  'chief',
  'chiefs',
  'detective',
  'detectives',
  'constable',
  'constables',
  'spokesman',
  'spokeswoman',
  'spokesperson',
  'boss',
  'bosses',
  'force',
]);
/** "the Met Office", "the Met Gala", Met Éireann (Irish weather), the Met (New York museum/opera). */
const MET_NOT_BEFORE = new Set(['office', 'gala', 'opera', 'museum', 'éireann', 'eireann', 'ball', 'life']);

/** Place-name aliases are not a force when part of a title, a university or a namesake place. */
const PLACE_NOT_AFTER =
  /(?:\b(?:Duke|Duchess|Earl|Countess|Prince|Princess|Marquess|Marquis|Baron|Baroness|Bishop|Archbishop|Diocese|University|Universities)\s+of|\bupon)[\s-]*$/iu;
/** "New York police" is not York police, "New Hampshire" not Hampshire, "New South Wales" not South Wales. */
const NEW_NAMESAKES = new Set(['york', 'hampshire', 'south']);
const AFTER_NEW = /\bnew\s+$/iu;
/** Place-name aliases followed by these are another body of that place (fire service, council, US city…). */
const PLACE_NOT_BEFORE =
  /^(?:\s+(?:Fire|Ambulance|Council|County\s+Council|Borough|Combined\s+Authority|Corporation|University|Airport|NHS|Hospitals?|Cricket|County\s+Cricket|FC|Football|Rugby|Wildlife|Clinic|Browns|Cavaliers|Guardians|Indians|State|Cathedral|Trains|Water)\b|,?\s+(?:Ohio|Virginia|North\s+Carolina|Massachusetts|Connecticut|Maine)\b)/iu;
/** Capitalised words that may stand before a one-word place alias in text without making it a person's name. */
const PLACE_PREFIXES = new Set([
  'county',
  'north',
  'south',
  'east',
  'west',
  'greater',
  'mid',
  'rural',
  'urban',
]);

/**
 * Real English words within typo distance of a force-name token (same first letter). They are never
 * "corrected" into a force: "the police survey" is not Surrey. Found by running every word of Debian's
 * British English word list (alone and in phrases such as "<word> police", "north <word>") through
 * findInQuestion and keeping the real words that came back as typos; plurals of force places are left out.
 */
const NOT_TYPOS = new Set<string>([
  'survey',
  'essen',
  'dorsey',
  'ghent',
  'northeasts',
  'demon',
  'themes',
  'tames',
  'thales',
  'volley',
  'walls',
  'waves',
  'wages',
  'wakes',
  'walks',
  'whales',
  'wares',
  'wades',
  'wanes',
  'waxes',
  'waled',
  'wiles',
  'walesa',
  'marcia',
  'mainlands',
  'transform',
  'transpire',
  'transported',
  'transporter',
  'transports',
  'transpose',
  'bright',
  'brighten',
  'brightens',
  'brighter',
  'brightly',
  'briton',
  'cartridge',
  'defenced',
  'defences',
  'shortish',
  'skittish',
  'sluttish',
  'sottish',
  'soberest',
  'tessie',
  'scottie',
  'shetland',
  'cornell',
  'cornwallis',
  'corneal',
  'cornball',
  'cornballs',
  'devin',
]);

const SPACE_GAP = /^\s+$/u;
const TEXT_GAP = /^\s*-?\s*$/u;
/** Between a question's words: spaces, hyphens, underscores, and the apostrophe of "Swindon's force". */
const QUESTION_GAP = /^[\s\-_'’]*$/u;
const APOSTROPHE_GAP = /^['’]$/u;
const SENTENCE_BREAK = /[.!?:;"“”‘(\n]/u;

interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;

/** Letter, mark or digit at `i` (ASCII fast path: the regex is only consulted for other characters). */
function isWordChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  if (c >= 0xd800 && c <= 0xdbff) return WORD_CHAR.test(s.slice(i, i + 2));
  if (c >= 0xdc00 && c <= 0xdfff) return WORD_CHAR.test(s.slice(i - 1, i + 1));
  return WORD_CHAR.test(s.charAt(i));
}

/** Words (runs of letters, marks and digits) and "&" (read as "and"), with their offsets. */
function tokenize(s: string): Token[] {
  const out: Token[] = [];
  const low = s.toLowerCase();
  const sameLength = low.length === s.length;
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (s.charCodeAt(i) === 38) {
      out.push({ text: '&', lower: 'and', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (!isWordChar(s, i)) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n && isWordChar(s, i)) i++;
    const text = s.slice(start, i);
    out.push({ text, lower: sameLength ? low.slice(start, i) : text.toLowerCase(), start, end: i });
  }
  return out;
}

/** Lower-cased, "&" → "and", punctuation and hyphens → single spaces: the comparable form of a name. */
function keyOf(s: string): string {
  return tokenize(s)
    .map((t) => t.lower)
    .join(' ');
}

type Via = ForceMatch['via'];

interface ForceKey {
  key: string;
  kind: 'name' | 'slug' | 'alias';
  /** Name, slug or name without its police word: the only keys whole-input typo matching aims at. */
  canonical: boolean;
}

interface Entry {
  slug: string;
  /** Tokens as written in forces.json. */
  surface: string[];
  lower: string[];
  /** Text mode: this token must appear with exactly these capitals. */
  strict: boolean[];
  /** A place name rather than a police name: subject to the place exclusions. */
  place: boolean;
  kind: 'name' | 'slug' | 'alias';
}

interface Candidate {
  slug: string;
  via: Via;
  length: number;
  distance: number;
}

function isAcronymToken(t: string): boolean {
  if (t === '&') return false;
  if (t.length === 1) return true;
  return /\p{Lu}/u.test(t.slice(1));
}

function isCapitalised(t: string): boolean {
  return /^\p{Lu}/u.test(t);
}

function makeEntry(slug: string, surfaceText: string, kind: Entry['kind']): Entry | null {
  const toks = tokenize(surfaceText);
  if (toks.length === 0) return null;
  const surface = toks.map((t) => t.text);
  const lower = toks.map((t) => t.lower);
  if (lower.every((w) => STOP_WORDS.has(w))) return null;
  const single = toks.length === 1;
  const strict = surface.map(
    (w, i) => single || isAcronymToken(w) || TEXT_CASE_SENSITIVE.has(lower[i] ?? ''),
  );
  const place =
    !lower.some((w) => POLICE_WORDS.has(w)) && !surface.every((w) => isAcronymToken(w) || w === '&');
  return { slug, surface, lower, strict, place, kind };
}

function indexEntries(entries: readonly Entry[]): Map<string, Entry[]> {
  const order = { name: 0, alias: 1, slug: 2 } as const;
  const index = new Map<string, Entry[]>();
  for (const e of entries) {
    const first = e.lower[0] ?? '';
    const list = index.get(first) ?? [];
    list.push(e);
    index.set(first, list);
  }
  for (const list of index.values()) {
    list.sort((a, b) => b.lower.length - a.lower.length || order[a.kind] - order[b.kind]);
  }
  return index;
}

/** True when the token sequence at `i` is joined to a neighbouring word by a hyphen ("Stratford-upon-Avon"). */
function hyphenJoined(text: string, start: number, end: number): boolean {
  const before = text[start - 1] === '-' && start >= 2 && isWordChar(text, start - 2);
  const after = text[end] === '-' && end + 1 < text.length && isWordChar(text, end + 1);
  return before || after;
}

function placeExcluded(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 40), start);
  if (PLACE_NOT_AFTER.test(before)) return true;
  return PLACE_NOT_BEFORE.test(text.slice(end, end + 40));
}

/**
 * Whether "met" at token `i` is the Metropolitan Police: after "the", before "'s", "Police" or a police
 * word, and never before "Office"/"Gala"/…. In text the word must be written "Met"; in questions any case,
 * and a capitalised "Met" past the first word also counts ("Is Met in Engage?").
 */
function isMetForce(text: string, tokens: readonly Token[], i: number, question: boolean): boolean {
  const tok = tokens[i];
  if (tok?.lower !== 'met') return false;
  if (!question && tok.text !== 'Met') return false;
  const next = tokens[i + 1];
  const nextGap = next ? text.slice(tok.end, next.start) : '';
  if (next && SPACE_GAP.test(nextGap) && MET_NOT_BEFORE.has(next.lower)) return false;
  const prev = tokens[i - 1];
  if (prev && prev.lower === 'the' && SPACE_GAP.test(text.slice(prev.end, tok.start))) return true;
  if (next && APOSTROPHE_GAP.test(nextGap) && next.lower === 's') return true;
  if (next && SPACE_GAP.test(nextGap) && MET_CONTEXT_AFTER.has(next.lower)) return true;
  return question && i > 0 && tok.text === 'Met';
}

/** A one-word place alias right after a capitalised word mid-sentence is a person or a title ("John Durham"). */
function looksLikeNamePart(text: string, tokens: readonly Token[], i: number): boolean {
  const prev = tokens[i - 1];
  const tok = tokens[i];
  if (!prev || !tok || !isCapitalised(prev.text) || !SPACE_GAP.test(text.slice(prev.end, tok.start)))
    return false;
  if (PLACE_PREFIXES.has(prev.lower)) return false;
  const before = tokens[i - 2];
  const sentenceInitial = !before || SENTENCE_BREAK.test(text.slice(before.end, prev.start));
  return !sentenceInitial;
}

/**
 * Builds the matchers once for a list of forces (normally knowledge/forces.json), so that scanning 100,000
 * sentences costs one tokenisation and a few map look-ups per word.
 *
 * @example
 * const g = createGazetteer(forces);
 * g.mentions('The Met and Wiltshire Police are in Engage.'); // metropolitan at 4, wiltshire at 12
 * g.resolve('west midlnads'); // { slug: 'west-midlands', via: 'fuzzy', … }
 */
export function createGazetteer(forces: readonly Force[]): Gazetteer {
  const bySlugMap = new Map(forces.map((f) => [f.slug, f] as const));
  const metSlug = forces.find((f) => f.aliases.some((a) => a === 'Met'))?.slug;

  const textEntries: Entry[] = [];
  const questionEntries: Entry[] = [];
  /** Slug → the comparable keys (lower-case, "&" → "and", no punctuation) of its name, slug and aliases. */
  const keysByForce = new Map<string, ForceKey[]>();

  for (const f of forces) {
    const keys: ForceKey[] = [];
    const add = (surfaceText: string, kind: Entry['kind'], inText: boolean, canonical: boolean): void => {
      const e = makeEntry(f.slug, surfaceText, kind);
      if (!e) return;
      keys.push({ key: e.lower.join(' '), kind, canonical });
      const contextual =
        metSlug === f.slug && (e.lower.join(' ') === 'met' || e.lower.join(' ') === 'the met');
      if (contextual) return;
      questionEntries.push(e);
      if (inText) textEntries.push(e);
    };
    add(f.name, 'name', true, true);
    add(f.slug, 'slug', false, true);
    for (const a of f.aliases) {
      add(a, 'alias', a !== a.toLowerCase(), false);
      // Question phrasings only: not keys for autocomplete ("police in" must not suggest every force).
      for (const v of cityVariants(a)) {
        const e = makeEntry(f.slug, v, 'alias');
        if (e) questionEntries.push(e);
      }
    }
    if (f.kind === 'territorial') {
      // "Avon and Somerset Constabulary" → "Avon and Somerset": users drop the police word.
      const words = tokenize(f.name).map((t) => t.text);
      while (words.length > 1 && STRIP_WORDS.has((words[words.length - 1] ?? '').toLowerCase())) words.pop();
      const derived = words.join(' ');
      if (keyOf(derived) !== keyOf(f.name)) add(derived, 'alias', false, true);
    }
    keysByForce.set(f.slug, keys);
  }

  const textIndex = indexEntries(textEntries);
  const questionIndex = indexEntries(questionEntries);

  /** Every word of every entry, and the subset the fuzzy matcher may correct towards, by first letter. */
  const vocabulary = new Set<string>();
  const fuzzyTargets = new Map<string, string[]>();
  const fuzzySeen = new Set<string>();
  for (const e of questionEntries) {
    for (const w of e.lower) {
      vocabulary.add(w);
      const eligible =
        w.length >= 5 &&
        !STOP_WORDS.has(w) &&
        !POLICE_WORDS.has(w) &&
        (e.kind !== 'alias' || w.length >= 8) &&
        /^\p{L}+$/u.test(w);
      if (eligible && !fuzzySeen.has(w)) {
        fuzzySeen.add(w);
        const list = fuzzyTargets.get(w[0] ?? '') ?? [];
        list.push(w);
        fuzzyTargets.set(w[0] ?? '', list);
      }
    }
  }
  if (metSlug) vocabulary.add('met');

  /** Closest fuzzy target for an unknown word, or null. Same first letter, distance by target length. */
  function correct(word: string): { to: string; distance: number } | null {
    // "kents pcc", "wiltshires chief": a possessive typed without its apostrophe.
    const possessive = word.endsWith('s') ? word.slice(0, -1) : '';
    if (possessive.length >= 4 && !vocabulary.has(word) && vocabulary.has(possessive))
      return { to: possessive, distance: 0 };
    if (word.length < 5 || vocabulary.has(word) || NOT_TYPOS.has(word) || STOP_WORDS.has(word)) return null;
    let best: { to: string; distance: number } | null = null;
    for (const target of fuzzyTargets.get(word[0] ?? '') ?? []) {
      const max = maxTypos(target.length);
      if (max === 0) continue;
      const d = osaDistance(word, target, max);
      if (d <= max && (!best || d < best.distance)) best = { to: target, distance: d };
    }
    return best;
  }

  /** Strip-word-free key → slugs, for resolve's "what's left once 'police' is gone" step. */
  const strippedKeys = new Map<string, Set<string>>();
  for (const [slug, keys] of keysByForce) {
    for (const { key } of keys) {
      const stripped = stripKey(key);
      if (!stripped) continue;
      const set = strippedKeys.get(stripped) ?? new Set<string>();
      set.add(slug);
      strippedKeys.set(stripped, set);
    }
  }

  function mentions(text: string): ForceMention[] {
    const out: ForceMention[] = [];
    const tokens = tokenize(text);
    let i = 0;
    while (i < tokens.length) {
      const tok = tokens[i] as Token;
      const hit = matchText(text, tokens, i);
      if (hit) {
        const last = tokens[i + hit.lower.length - 1] as Token;
        out.push({ slug: hit.slug, start: tok.start, end: last.end, text: text.slice(tok.start, last.end) });
        i += hit.lower.length;
        continue;
      }
      if (metSlug && tok.text === 'Met' && isMetForce(text, tokens, i, false)) {
        if (!hyphenJoined(text, tok.start, tok.end)) {
          out.push({ slug: metSlug, start: tok.start, end: tok.end, text: tok.text });
        }
      }
      i++;
    }
    return out;
  }

  function matchText(text: string, tokens: readonly Token[], i: number): Entry | null {
    const cands = textIndex.get((tokens[i] as Token).lower);
    if (!cands) return null;
    for (const e of cands) {
      const n = e.lower.length;
      if (i + n > tokens.length) continue;
      let ok = true;
      for (let k = 0; k < n && ok; k++) {
        const t = tokens[i + k] as Token;
        if (t.lower !== e.lower[k]) ok = false;
        else if (e.strict[k] && t.text !== e.surface[k]) ok = false;
        else if (k > 0 && !TEXT_GAP.test(text.slice((tokens[i + k - 1] as Token).end, t.start))) ok = false;
      }
      if (!ok) continue;
      const start = (tokens[i] as Token).start;
      const end = (tokens[i + n - 1] as Token).end;
      if (hyphenJoined(text, start, end)) continue;
      if (NEW_NAMESAKES.has(e.lower[0] ?? '') && AFTER_NEW.test(text.slice(Math.max(0, start - 10), start))) {
        continue;
      }
      if (e.place && placeExcluded(text, start, end)) continue;
      if (e.place && n === 1 && looksLikeNamePart(text, tokens, i)) continue;
      return e;
    }
    return null;
  }

  function findInQuestion(question: string): ForceMatch[] {
    const tokens = tokenize(question);
    const words = tokens.map((t) => t.lower);
    const distances = tokens.map(() => 0);
    for (let i = 0; i < words.length; i++) {
      const c = correct(words[i] ?? '');
      if (c) {
        words[i] = c.to;
        distances[i] = c.distance;
      }
    }
    const found: (Candidate & { position: number })[] = [];
    let i = 0;
    while (i < tokens.length) {
      const hit = matchQuestion(question, tokens, words, distances, i);
      if (hit) {
        found.push({ ...hit, position: i });
        i += hit.length;
        continue;
      }
      if (metSlug && words[i] === 'met' && isMetForce(question, tokens, i, true)) {
        found.push({ slug: metSlug, via: 'alias', length: 1, distance: 0, position: i });
      }
      i++;
    }
    const best = new Map<string, ForceMatch & { position: number }>();
    for (const c of found) {
      const score =
        c.distance === 0 ? (c.via === 'alias' ? 0.95 : 1) : round2(Math.max(0.5, 0.9 - 0.1 * c.distance));
      const prior = best.get(c.slug);
      if (!prior || score > prior.score) {
        best.set(c.slug, {
          slug: c.slug,
          score,
          via: c.distance === 0 ? c.via : 'fuzzy',
          position: c.position,
          span: {
            start: tokens[c.position]?.start ?? 0,
            end: tokens[c.position + c.length - 1]?.end ?? question.length,
          },
        });
      }
    }
    return [...best.values()]
      .sort((a, b) => b.score - a.score || a.position - b.position)
      .map(({ slug, score, via, span }) => ({ slug, score, via, ...(span ? { span } : {}) }));
  }

  function matchQuestion(
    question: string,
    tokens: readonly Token[],
    words: readonly string[],
    distances: readonly number[],
    i: number,
  ): Candidate | null {
    const cands = questionIndex.get(words[i] ?? '');
    if (!cands) return null;
    for (const e of cands) {
      const n = e.lower.length;
      if (i + n > tokens.length) continue;
      let ok = true;
      let distance = 0;
      for (let k = 0; k < n && ok; k++) {
        const t = tokens[i + k] as Token;
        if (words[i + k] !== e.lower[k]) ok = false;
        else if (QUESTION_CASE_SENSITIVE.has(e.lower[k] ?? '') && t.text !== e.surface[k]) ok = false;
        else if (k > 0 && !QUESTION_GAP.test(question.slice((tokens[i + k - 1] as Token).end, t.start)))
          ok = false;
        distance += distances[i + k] ?? 0;
      }
      if (!ok) continue;
      const start = (tokens[i] as Token).start;
      const end = (tokens[i + n - 1] as Token).end;
      if (
        NEW_NAMESAKES.has(e.lower[0] ?? '') &&
        AFTER_NEW.test(question.slice(Math.max(0, start - 10), start))
      ) {
        continue;
      }
      if (e.place && placeExcluded(question, start, end)) continue;
      return { slug: e.slug, via: e.kind, length: n, distance };
    }
    return null;
  }

  function resolve(input: string): ForceMatch | null {
    const raw = input.trim();
    if (!raw) return null;
    const lowered = raw.toLowerCase();
    if (bySlugMap.has(lowered)) return { slug: lowered, score: 1, via: 'slug' };
    const key = keyOf(raw);
    if (!key) return null;
    const exact = uniqueByKey((k) => k === key);
    if (exact) return { slug: exact.slug, score: exact.kind === 'alias' ? 0.95 : 1, via: exact.kind };
    const stripped = stripKey(key);
    if (!stripped) return null;
    const slugs = strippedKeys.get(stripped);
    if (slugs && slugs.size === 1) return { slug: [...slugs][0] as string, score: 0.9, via: 'alias' };
    const inQuestion = findInQuestion(raw)[0];
    if (inQuestion) return inQuestion;
    if (stripped.length >= 3) {
      const prefix = uniqueByKey((k) => k.startsWith(stripped) || stripKey(k).startsWith(stripped));
      if (prefix) return { slug: prefix.slug, score: 0.75, via: prefix.kind };
    }
    return fuzzyWhole(key, stripped);
  }

  /** The single force owning a key that passes `test`, preferring name over slug over alias; null if several forces do. */
  function uniqueByKey(test: (key: string) => boolean): { slug: string; kind: Entry['kind'] } | null {
    let found: { slug: string; kind: Entry['kind'] } | null = null;
    const rank = { name: 0, slug: 1, alias: 2 } as const;
    for (const [slug, keys] of keysByForce) {
      for (const { key, kind } of keys) {
        if (!test(key)) continue;
        if (found && found.slug !== slug) return null;
        if (!found || rank[kind] < rank[found.kind]) found = { slug, kind };
      }
    }
    return found;
  }

  /**
   * Whole-input typo match against canonical keys only (names, slugs, names without "Police"), which also
   * forgives a missing space ("westmidlands"). Ties between forces → null.
   */
  function fuzzyWhole(key: string, stripped: string): ForceMatch | null {
    if (NOT_TYPOS.has(stripped)) return null;
    let best: { slug: string; distance: number } | null = null;
    let tie = false;
    for (const [slug, keys] of keysByForce) {
      for (const target of keys) {
        if (!target.canonical || target.key[0] !== key[0]) continue;
        const max = maxTypos(
          Math.min(target.key.replace(/ /g, '').length, stripped.replace(/ /g, '').length),
        );
        if (max === 0) continue;
        const d = Math.min(osaDistance(key, target.key, max), osaDistance(stripped, target.key, max));
        if (d > max) continue;
        if (!best || d < best.distance) {
          best = { slug, distance: d };
          tie = false;
        } else if (d === best.distance && slug !== best.slug) tie = true;
      }
    }
    if (!best || tie) return null;
    return { slug: best.slug, score: round2(Math.max(0.5, 0.8 - 0.1 * best.distance)), via: 'fuzzy' };
  }

  function suggest(input: string, opts: { limit?: number; preferred?: ReadonlySet<string> } = {}): Force[] {
    const limit = opts.limit ?? 25;
    const preferred = opts.preferred ?? new Set<string>();
    const query = keyOf(input);
    const ranked: { force: Force; tier: number }[] = [];
    for (const f of forces) {
      const tier = query ? suggestTier(f, query) : 0;
      if (tier !== null) ranked.push({ force: f, tier });
    }
    ranked.sort(
      (a, b) =>
        a.tier - b.tier ||
        Number(preferred.has(b.force.slug)) - Number(preferred.has(a.force.slug)) ||
        (a.force.name < b.force.name ? -1 : a.force.name > b.force.name ? 1 : 0),
    );
    return ranked.slice(0, Math.max(0, limit)).map((r) => r.force);
  }

  /** 0 exact, 1 name/slug prefix, 2 alias prefix, 3 word prefix, 4 contains, 5 fuzzy; null = no match. */
  function suggestTier(f: Force, query: string): number | null {
    const keys = keysByForce.get(f.slug) ?? [];
    let tier: number | null = null;
    const better = (t: number): void => {
      if (tier === null || t < tier) tier = t;
    };
    for (const { key, kind } of keys) {
      if (key === query) better(0);
      else if (key.startsWith(query)) better(kind === 'alias' ? 2 : 1);
      else if (key.includes(` ${query}`)) better(3);
      else if (key.includes(query)) better(4);
      else {
        const max = maxTypos(query.replace(/ /g, '').length);
        if (max > 0 && key[0] === query[0]) {
          const d = Math.min(
            osaDistance(query, key, max),
            osaDistance(query, key.slice(0, query.length), max),
            osaDistance(query, key.slice(0, query.length + 1), max),
          );
          if (d <= max) better(5);
        }
      }
    }
    return tier;
  }

  return {
    forces,
    bySlug: (slug) => bySlugMap.get(slug),
    mentions,
    resolve,
    findInQuestion,
    suggest,
  };
}

/** How a question names a city's police besides "<City> police" (question-only; never in article text). */
const CITY_SUFFIXES = ['force', 'police force', 'officers', 'cops', 'constabulary', 's force', 's police'];
const CITY_PREFIXES = [
  'police in',
  'police force in',
  'force in',
  'police for',
  'force covering',
  'police covering',
];

/**
 * "Swindon police" → "Swindon's force", "police in Swindon", "the force covering Swindon": a city alias
 * names the force in a question however the police word is placed. A city alone still names nothing.
 *
 * @example cityVariants('Swindon police') // ['Swindon force', …, 'Swindon s force', 'police in Swindon', …]
 */
function cityVariants(alias: string): string[] {
  const m = /^(\p{Lu}[\p{L}\s'-]*?)\s+police$/u.exec(alias);
  const city = m?.[1];
  if (!city || tokenize(city).some((t) => POLICE_WORDS.has(t.lower) || STOP_WORDS.has(t.lower))) return [];
  return [...CITY_SUFFIXES.map((w) => `${city} ${w}`), ...CITY_PREFIXES.map((w) => `${w} ${city}`)];
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function stripKey(key: string): string {
  return key
    .split(' ')
    .filter((w) => w && !STRIP_WORDS.has(w))
    .join(' ');
}
