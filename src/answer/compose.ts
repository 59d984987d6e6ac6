import type { KnowledgeBase } from '../knowledge/build.js';
import { buildKnowledgeBase, passagesAbout } from '../knowledge/build.js';
import type { Article, Force, Passage, Topic } from '../knowledge/schema.js';
import { isTypoOf } from '../knowledge/typos.js';
import { ENGAGE_TERMS, FINDING_WORDS } from '../knowledge/vocabulary.js';
import type { Concept, PassageIndex, SearchHit } from '../search/index.js';
import { buildPassageIndex } from '../search/index.js';
import { AnswerBuilder, MAX_ASK_CITATIONS, MAX_LIST_CITATIONS } from './builder.js';
import { mainClause, type ParsedQuery, parseQuery } from './intent.js';
import { personAsked, type QuotedPerson } from './people.js';
import { aboutOtherBody, isFurniture, policingArticles, unknownName } from './scope.js';
import { buildStatuses, type ForceStatus, statusUntil } from './status.js';
import type { Answer, ForceStatusRow, StatusInfo } from './types.js';
import { EVENT_WHEN, eventAnswer, NEGATED_QUESTION, WHY_STAGE, whyAnswer, whyNotAnswer } from './why.js';

/** Everything needed to answer: built once per knowledge version, then read-only. */
export interface Engine {
  kb: KnowledgeBase;
  index: PassageIndex;
  statuses: Map<string, ForceStatus>;
  /** Answers a question or command. `context.force` carries a conversation's force to a follow-up. */
  answer(query: string, context?: { force?: string | null }): Answer;
}

/** Below this share of a question's (rarity-weighted) ideas, a passage does not answer it. */
const MIN_COVERAGE = 0.6;
/** Below `MIN_COVERAGE`, down to this, a sentence answers when it has the question's most telling word. */
const PARTIAL_COVERAGE = 0.52;
const MAX_QUERY_CHARS = 500;

/**
 * Builds the answer engine from loaded articles and the gazetteer: annotate, index, status timelines.
 *
 * @example createEngine(loaded.articles, loaded.forces).answer('/status west-midlands').status?.stage // 'engage'
 */
export function createEngine(articles: readonly Article[], forces: readonly Force[]): Engine {
  const kb = buildKnowledgeBase(articles, forces);
  return assembleEngine(kb, buildPassageIndex(kb), buildStatuses(kb));
}

/**
 * An engine from parts built elsewhere: a cached or off-thread build (`src/answer/snapshot.ts`) restores
 * the knowledge base, index and statuses without re-running the pipeline.
 */
export function assembleEngine(
  kb: KnowledgeBase,
  index: PassageIndex,
  statuses: Map<string, ForceStatus>,
): Engine {
  const forcesWithEvidence = new Set(kb.passages.flatMap((p) => p.forces));
  const engine: Engine = {
    kb,
    index,
    statuses,
    answer: (query, context) => answerQuery(engine, forcesWithEvidence, query, context?.force ?? null),
  };
  return engine;
}

function answerQuery(engine: Engine, covered: Set<string>, raw: string, contextForce: string | null): Answer {
  const query = raw.slice(0, MAX_QUERY_CHARS);
  const parsed = parseQuery(stripControl(query), engine.kb.gazetteer, contextForce);
  const b = new AnswerBuilder(engine, raw, parsed);
  const { intent, force } = parsed;

  if (intent === 'sources') return sourcesAnswer(b);
  if (intent === 'forces') return forcesAnswer(b, parsed);
  if (parsed.unknownForce !== null)
    return b.abstain(
      parsed.unknownForce
        ? `I don't know a police force called “${parsed.unknownForce}”. Try /forces for the forces I have evidence on.`
        : `Which force? For example: /${intent} west-midlands`,
    );
  if (intent === 'status' && force) return statusAnswer(b, force.slug);
  if (force && !covered.has(force.slug))
    return b.abstain(`The knowledge base has nothing about ${b.forceName ?? force.slug} yet.`);
  if ((intent === 'ask' || intent === 'responses') && !parsed.command && SAY_QUESTION.test(parsed.text)) {
    // "What did Donna Fairweather say?": that person's own words, and the force they spoke for.
    const person = personAsked(engine.kb, parsed.text);
    const about = force?.slug ?? null;
    if (person && (!about || person.passages.some((p) => p.forces.includes(about))))
      return personAnswer(b, person, about);
    // "What did chief constable Priya Matharu say?": someone the articles never mention.
    const stranger = person ? null : unknownName(engine, parsed.text);
    if (stranger) return b.abstain(`The knowledge base has nothing from or about ${stranger}.`);
  }
  // "Why was X put into Engage?", and "why wasn't it?", which asks about a decision against.
  if (
    intent === 'ask' &&
    force &&
    WHY_STAGE.test(parsed.text) &&
    (ENGAGE_TERMS.test(parsed.text) || ENGAGE_ASKED.test(parsed.text))
  ) {
    const why = NEGATED_QUESTION.test(parsed.text)
      ? whyNotAnswer(b, force.slug)
      : whyAnswer(b, force.slug, parsed.text);
    if (why) return why;
  }
  if (intent !== 'status' && force && EVENT_WHEN.test(parsed.text)) {
    const said = eventAnswer(b, force.slug, parsed.text);
    if (said) return said;
  }
  const concepts = contentConcepts(engine, parsed);
  if ((intent === 'findings' || intent === 'responses') && force) {
    // "What went wrong at X?" asks for the findings; only other words narrow the search.
    const narrowing = concepts.filter((c) => !isListWord(engine, c));
    const years = narrowing.filter((c) => YEAR_TERM.test(c.label)).map((c) => c.label);
    const words = narrowing.filter((c) => !YEAR_TERM.test(c.label));
    if (parsed.command || words.length === 0)
      return topicListAnswer(b, intent, topicPassages(b, force.slug, intent, { years }));
    // "What did inspectors find about X's control room?": the findings, those on the control room first.
    const topic = intent === 'findings' ? 'finding' : 'response';
    const relevant = new Map<string, number>();
    for (const h of engine.index.search(words, { force: force.slug, topic, limit: 100 }))
      if (h.coverage >= MIN_COVERAGE || hasTellingWord(h, words)) relevant.set(h.passage.id, h.score);
    const listed = topicPassages(b, force.slug, intent, { years, relevant });
    if (listed[0] && relevant.has(listed[0].id)) return topicListAnswer(b, intent, listed);
    return askAnswer(b, narrowing, force.slug, topic, { spoken: intent === 'responses' });
  }
  if (!force && aboutOtherBody(parsed.text))
    return b.abstain(
      'The knowledge base is about police forces in special measures; it does not cover other bodies.',
    );
  if (isFurniture(parsed.text))
    return b.abstain('I could not find a question about police inspections in that.');
  // "10:42", "2024": numbers alone ask nothing.
  if (concepts.length > 0 && concepts.every((c) => /^\d+$/.test(c.label)) && !force)
    return b.abstain('I could not find a question about police inspections in that.');
  if (concepts.length === 0) {
    if (force) return statusAnswer(b, force.slug);
    return b.abstain('I could not find a question about police inspections in that.');
  }
  return askAnswer(b, concepts, force?.slug ?? null, topicHint(parsed.text));
}

function stripControl(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g, ' ');
}

/** The question's ideas minus the force's own name ("Wiltshire Police's ambition" → ambition). */
function contentConcepts(engine: Engine, parsed: ParsedQuery): Concept[] {
  const { gazetteer } = engine.kb;
  let text = parsed.text;
  // "Before it went into Engage, …": the time clause is not what is asked about (the force may be named there).
  const main = mainClause(text);
  if (main !== text) text = `${' '.repeat(text.length - main.length)}${main}`;
  // The force as the user typed it ("wiltshre police") is not something to search for.
  const typed = parsed.force?.span;
  if (typed && parsed.text.slice(typed.start, typed.end).length > 0)
    text = `${text.slice(0, typed.start)} ${' '.repeat(typed.end - typed.start)}${text.slice(typed.end)}`;
  for (const m of gazetteer.mentions(text).reverse()) text = `${text.slice(0, m.start)} ${text.slice(m.end)}`;
  const force = parsed.force ? gazetteer.bySlug(parsed.force.slug) : undefined;
  const forceWords = new Set<string>(['police', 'force', 'forc', 'constabulary', 'constabulari', 'polic']);
  if (force)
    for (const phrase of [force.name, force.slug.replace(/-/g, ' '), ...force.aliases])
      for (const t of engine.index.analyzer.terms(phrase)) forceWords.add(t);
  const concepts = engine.index.concepts(text);
  return concepts.filter(
    (c) => !(c.alternatives[0]?.length === 1 && isForceWord(c.alternatives[0][0] ?? '', forceWords, parsed)),
  );
}

function isForceWord(term: string, forceWords: Set<string>, parsed: ParsedQuery): boolean {
  if (forceWords.has(term)) return true;
  // Typed variants of the force's name ("midlnads", "wiltshre") that made the gazetteer match it.
  if (parsed.force && term.length >= 5)
    for (const w of forceWords) if (w.length >= 5 && isTypoOf(term, w)) return true;
  return false;
}

function topicHint(text: string): Topic | null {
  if (
    /\b(?:what did|how did)\b[^?]*\b(?:say|respond|react)\b/i.test(text) &&
    !/\b(?:hmic|inspector|watchdog|report|letter)/i.test(text)
  )
    return 'response';
  // "What has the Met done to improve?" is answered by the force and by inspectors who saw it: no hint.
  if (/\bwhat (?:has|have|is|are|was|were)\b[^?]*\b(?:done|doing|do)\b/i.test(text)) return null;
  if (/\b(?:find|found|findings|report|inspectors?|concerns?|failings?)\b/i.test(text)) return 'finding';
  if (/\b(?:special measures|engage|monitoring)\b/i.test(text)) return 'status';
  return null;
}

/** How people ask about Engage without its names: "put under closer watch", "extra scrutiny". */
const ENGAGE_ASKED =
  /\b(?:closer|closest|extra|enhanced|special) (?:watch|scrutiny|supervision|oversight)\b/i;
/** The noun a "what is the …" question asks for: "What was the outcome of the investigation?" */
const QUESTION_HEAD =
  /^\s*(?:what|which)(?:['’]s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|a\s+|an\s+)?(\p{L}{3,})\b/iu;
const YEAR_TERM = /^(?:19|20)\d{2}$/;
const SAY_QUESTION =
  /\b(?:say|said|says|saying|tell|told|respond\w*|react\w*|comment\w*|propos\w*|suggest\w*|argu\w*|recommend\w*|warn\w*|claim\w*|want\w*|call(?:s|ed)? for|think|thinks|thought|believe\w*|writes?|wrote)\b/i;
/** "How long…", "how fast…", "what share of…": questions answered by a number; group 1 or 2 is the measure word. */
const QUANTITY =
  /\bhow (fast|quickly|long|many|much|often|soon|far|big|large|high|low|slow|slowly)\b|\bwhat (share|proportion|percentage|per cent|percent|number|fraction|rate|amount|level)\b/i;
/** "What is X doing to tackle…", "what has X done about…": group 1 is the purpose, not a topic. */
const DOING =
  /\bwhat\s+(?:is|are|has|have|was|were|will)\b[^?]*?\b(?:doing|done|do)\b(?:\s+(?:to\s+(improve|tackle|fix|address|deal with|sort out|solve|put right|turn around|respond to)|about))?/i;
/** A sentence telling of something done or to be done. */
const ACTION =
  /\b(?:introduc(?:e|ed|es|ing)|recruit(?:ed|ing|s)?|appoint(?:ed|ing|s)?|launch(?:ed|es|ing)?|invest(?:ed|ing|s)?|hir(?:e|ed|es|ing)|establish(?:ed|es|ing)?|creat(?:e|ed|es|ing)|doubl(?:e|ed|es|ing)|set(?:ting)? up|brought in|bring(?:ing)? in|mov(?:ed|ing) \d|redeploy\w*|restructur\w*|overhaul\w*)\b|\bnew\s+(?:\p{L}+\s+){0,3}(?:unit|team|system|model|hub|centre|service|officers|staff)\b/iu;
const NUMBER =
  /\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|half|quarter|third|dozen)s?\b/i;

function askAnswer(
  b: AnswerBuilder,
  asked: Concept[],
  force: string | null,
  topic: Topic | null,
  opts: { spoken?: boolean } = {},
): Answer {
  // A year asks about that time: prefer articles published then (and sentences naming it) over
  // sentences that merely contain the number.
  // "How fast…", "what share…": the measure word is not in the answer, a number is.
  const quantity = QUANTITY.exec(b.parsed.text);
  const measure = quantity ? b.engine.index.analyzer.terms(quantity[1] ?? quantity[2] ?? '') : [];
  // "What is X doing to tackle Y?" asks for actions on Y: "tackle" is the question's, not the answer's.
  const doing = DOING.exec(b.parsed.text);
  const purpose = doing?.[1] ? b.engine.index.analyzer.terms(doing[1]) : [];
  const isPurpose = (c: Concept) => (c.alternatives[0] ?? []).every((t) => purpose.includes(t));
  const concepts = asked.filter(
    (c) => !measure.includes(c.label) && !(isPurpose(c) && asked.some((o) => !isPurpose(o))),
  );
  const years = concepts.filter((c) => YEAR_TERM.test(c.label)).map((c) => c.label);
  const words =
    years.length && years.length < concepts.length
      ? concepts.filter((c) => !YEAR_TERM.test(c.label))
      : concepts;
  // "What was the outcome of…": when the thing asked for is a word no article uses, nothing answers it.
  const head = QUESTION_HEAD.exec(b.parsed.text)?.[1];
  const headTerm = head ? b.engine.index.analyzer.term(head) : null;
  const headConcept = headTerm ? asked.find((c) => c.label === headTerm) : undefined;
  if (
    headConcept &&
    !headConcept.known &&
    !isListWord(b.engine, headConcept) &&
    !measure.includes(headTerm ?? '')
  )
    return b.abstain(`The knowledge base does not answer that${force ? ` about ${b.forceName}` : ''}.`);
  let hits = b.engine.index.search(words, { force, topic, limit: 50 });
  // "What has Fairbairn said…": that person's own words, when the knowledge base has any.
  const asking = new Set(b.parsed.text.toLowerCase().match(/\p{L}{3,}/gu) ?? []);
  // A person's name, not a role ("inspectors", "the force"): its last word is capitalised.
  const surnameOf = (h: SearchHit) => {
    const last = h.passage.speaker?.split(/\s+/).at(-1) ?? '';
    return /^\p{Lu}/u.test(last) ? last.toLowerCase() : '';
  };
  const bySpeaker = SAY_QUESTION.test(b.parsed.text) ? hits.filter((h) => asking.has(surnameOf(h))) : [];
  // "What did X say…" is answered by what someone said, not by narration — when their words answer it.
  if (bySpeaker.some((h) => h.coverage >= MIN_COVERAGE)) hits = bySpeaker;
  else if (opts.spoken) hits = hits.filter((h) => h.passage.speaker !== null);
  // An article with no policing in it (a school in special measures) answers nothing here.
  const policing = policingArticles(b.engine.kb);
  hits = hits.filter((h) => policing.has(h.passage.articleId));
  hits.sort((x, y) => y.score - x.score);
  if (quantity) {
    // The number is an idea of the question the sentence must also carry.
    const share = 1 / (words.length + 1);
    for (const h of hits) {
      const hasNumber = NUMBER.test(h.passage.text);
      h.coverage = h.coverage * (1 - share) + (hasNumber ? share : 0);
      h.score += hasNumber ? 1.5 : 0;
    }
    hits.sort((x, y) => y.score - x.score);
  }
  if (doing) {
    // What was done is told as an action: "has recruited", "will introduce a new unit".
    for (const h of hits) if (ACTION.test(h.passage.text)) h.score += 3;
    hits.sort((x, y) => y.score - x.score);
  }
  if (years.length && words !== concepts) {
    for (const h of hits) {
      const published = b.engine.kb.articles.get(h.passage.articleId)?.published ?? '';
      if (years.some((y) => published.startsWith(y))) h.score += 2;
      else if (years.some((y) => h.passage.text.includes(y))) h.score += 1;
    }
    hits.sort((x, y) => y.score - x.score);
  }
  // Only the best-ranked sentence may answer: when it does not, a lower one that happens to share more
  // words is more often beside the point than the answer.
  const best = hits[0];
  if (!best || !answers(best, words)) {
    const about = force ? ` about ${b.forceName}` : '';
    return b.abstain(`The knowledge base does not answer that${about}.`);
  }
  const chosen: SearchHit[] = [best];
  const floor = Math.max(MIN_COVERAGE, best.coverage * 0.75);
  for (const h of hits.slice(1)) {
    if (chosen.length >= MAX_ASK_CITATIONS) break;
    if (h.coverage < floor || h.score < best.score * 0.6) continue;
    if (chosen.some((c) => c.passage.text === h.passage.text)) continue;
    chosen.push(h);
  }
  for (const h of chosen) b.cite(h.passage);
  // "Who is Craig Guildford?" names no force, but an answer all about one force is about that force.
  const about = new Set(chosen.map((h) => h.passage.forces[0]));
  if (!force && about.size === 1) b.setForce([...about][0] ?? null);
  return b.done(force ? `What the sources say about ${b.forceName}:` : 'What the sources say:');
}

/**
 * Whether a sentence answers the question: it covers most of the question's meaning, or a good part of
 * it including the most telling word the knowledge base knows ("which high-profile murder hurt public
 * confidence in the Met" is answered by the sentence about the murder of Sarah Everard, not by one that
 * shares only "new" and "police" with "what is in the new Crime and Policing Act").
 */
function answers(hit: SearchHit, asked: readonly Concept[]): boolean {
  if (hit.coverage >= MIN_COVERAGE) return true;
  return hit.coverage >= PARTIAL_COVERAGE && hasTellingWord(hit, asked);
}

/** Whether a sentence has the question's most telling word that the knowledge base knows. */
function hasTellingWord(hit: SearchHit, asked: readonly Concept[]): boolean {
  const known = asked.filter((c) => c.known);
  const top = Math.max(...known.map((c) => c.weight));
  return known.some((c) => c.weight >= top - 1e-9 && hit.matched.includes(c.label));
}

/**
 * A named person's words, most relevant to the rest of the question first ("…tell the panel"), else in
 * the order they were said, newest article first.
 */
function personAnswer(b: AnswerBuilder, person: QuotedPerson, force: string | null): Answer {
  const { kb, index } = b.engine;
  const own = force ? person.passages.filter((p) => p.forces.includes(force)) : person.passages;
  const nameTerms = new Set(index.analyzer.terms(person.name));
  const narrowing = contentConcepts(b.engine, b.parsed).filter(
    (c) => !nameTerms.has(c.label) && !isListWord(b.engine, c),
  );
  const relevance = new Map<string, number>();
  if (narrowing.length)
    for (const h of index.search(narrowing, { force, limit: 200 })) relevance.set(h.passage.id, h.score);
  const date = (p: Passage) => kb.articles.get(p.articleId)?.published ?? '';
  const ranked = [...own].sort(
    (x, y) =>
      (relevance.get(y.id) ?? 0) - (relevance.get(x.id) ?? 0) ||
      date(y).localeCompare(date(x)) ||
      x.articleId.localeCompare(y.articleId) ||
      x.position - y.position,
  );
  // "So here is my modest proposal." announces what follows: the best match brings its next sentences.
  const best = ranked[0];
  if (best && relevance.has(best.id) && ANNOUNCES.test(best.text)) {
    const next = own.filter((p) => p.articleId === best.articleId && p.position > best.position).slice(0, 3);
    ranked.splice(1, 0, ...next.filter((p) => p !== best));
  }
  for (const p of [...new Set(ranked)].slice(0, MAX_LIST_CITATIONS)) b.cite(p);
  b.intent = 'responses';
  b.setForce(force ?? person.force);
  return b.done(`What ${person.name} said${b.forceName && force ? ` about ${b.forceName}` : ''}:`);
}

/** A sentence that announces the ones after it: "Here is my proposal.", "He set out three changes:". */
const ANNOUNCES =
  /:\s*$|\b(?:here is|here are|as follows|the following|set out|proposal|proposals|plan)\b[^.]{0,40}[.:]\s*$/i;

/**
 * Words that only say which list is wanted ("what went wrong", "how did they respond"), who spoke ("the
 * inspectors", "the letter") or what was responded to ("to being put into special measures"), not what to
 * look for in the list.
 */
const LIST_WORDS =
  'went wrong go happen happened find found finding findings fail failure failures concern concerns problem problems issue issues criticise criticised criticism critic respond responded response responses react reacted reaction reply replied comment commented think say said says tell told report reports inspector inspectors inspectorate hmic hmicfrs watchdog letter put placed moved being into special measures engage enhanced monitoring routine scan leaving left leave exit exited entered enter came come coming returned inspection inspections inspected decision chief constable deputy assistant commissioner spokesman spokeswoman spokesperson officer officers senior councillors panel committee meeting raise raised identify identified highlight highlighted flag flagged uncover uncovered reveal revealed admit admitted accept accepted acknowledge acknowledged';
const listTermsCache = new WeakMap<Engine, Set<string>>();

/** Whether a concept of the question only says which list is wanted (see `LIST_WORDS`). */
function isListWord(engine: Engine, c: Concept): boolean {
  let terms = listTermsCache.get(engine);
  if (!terms) {
    terms = new Set(engine.index.analyzer.terms(LIST_WORDS));
    listTermsCache.set(engine, terms);
  }
  const typed = c.alternatives[0] ?? [];
  return typed.length > 0 && typed.every((t) => terms.has(t));
}
interface ListOptions {
  /** Years the question names: articles published then come first. */
  years?: readonly string[];
  /** Passages matching the rest of the question, with their scores: they come first. */
  relevant?: ReadonlyMap<string, number>;
}

/** A force's findings or responses, in the order a list shows them (see `ListOptions`), newest article first. */
function topicPassages(
  b: AnswerBuilder,
  force: string,
  intent: 'findings' | 'responses',
  opts: ListOptions = {},
): Passage[] {
  const topic: Topic = intent === 'findings' ? 'finding' : 'response';
  const passages = passagesAbout(b.engine.kb, force).filter(
    (p) =>
      p.topic === topic ||
      (intent === 'findings' &&
        p.topic === 'status' &&
        (p.speakerRole === 'inspectorate' || (p.speakerRole !== 'force' && FINDING_WORDS.test(p.text)))),
  );
  // Sort keys worked out once per passage: a force can have thousands.
  const keyed = passages.map((p) => {
    const date = b.engine.kb.articles.get(p.articleId)?.published ?? '';
    return {
      p,
      date,
      relevance: opts.relevant?.get(p.id) ?? 0,
      inYear: Number(opts.years?.some((y) => date.startsWith(y)) ?? false),
      // Sentences about this force first, then the ones that merely mention it.
      own: Number(p.forces[0] === force),
    };
  });
  keyed.sort(
    (x, y) =>
      y.relevance - x.relevance ||
      y.inYear - x.inYear ||
      (y.date < x.date ? -1 : y.date > x.date ? 1 : 0) ||
      (x.p.articleId < y.p.articleId ? -1 : x.p.articleId > y.p.articleId ? 1 : 0) ||
      y.own - x.own ||
      x.p.position - y.p.position,
  );
  return keyed.map((k) => k.p);
}

function topicListAnswer(
  b: AnswerBuilder,
  intent: 'findings' | 'responses',
  passages: readonly Passage[],
): Answer {
  if (passages.length === 0)
    return b.abstain(
      intent === 'findings'
        ? `The knowledge base has no inspection findings about ${b.forceName}.`
        : `The knowledge base has no response from ${b.forceName}.`,
    );
  for (const p of passages.slice(0, MAX_LIST_CITATIONS)) b.cite(p);
  const more = passages.length > MAX_LIST_CITATIONS ? ` (${MAX_LIST_CITATIONS} of ${passages.length})` : '';
  return b.done(
    intent === 'findings'
      ? `What inspectors found about ${b.forceName}${more}:`
      : `What ${b.forceName} said in response${more}:`,
  );
}

/** "…in 2022?", "as of 2021": the end of the year a question asks about, or null for now. */
function askedYear(text: string): string | null {
  const year = /\b(?:in|during|by|as of|at the end of|back in|throughout)\s+((?:19|20)\d{2})\b/i.exec(
    text,
  )?.[1];
  return year ? `${year}-12-31` : null;
}

function statusAnswer(b: AnswerBuilder, force: string): Answer {
  const until = b.parsed.command ? null : askedYear(b.parsed.text);
  const now = b.engine.statuses.get(force);
  const st = now && until ? (statusUntil(now, until) ?? undefined) : now;
  const name = b.forceName ?? force;
  if (now && !st && until) {
    const first = now.events.at(-1);
    return b.status(
      { stage: 'unknown', since: null, asOf: null, note: null, evidence: [], history: [] },
      `The knowledge base has nothing on ${name}'s stage up to the end of ${until.slice(0, 4)}; its earliest report is from ${first?.date ?? 'later'}.`,
    );
  }
  if (!st) {
    const unknown: StatusInfo = {
      stage: 'unknown',
      since: null,
      asOf: null,
      note: null,
      evidence: [],
      history: [],
    };
    // "Warned it could be put into special measures" is not a stage, but it is what the sources say.
    // Only from articles about this force (named in the headline): a passing "nobody thinks Surrey is
    // next" in an opinion piece is not something to answer a status question with.
    const aboutForce = (articleId: string) => {
      const title = b.engine.kb.articles.get(articleId)?.title ?? '';
      return b.engine.kb.gazetteer.mentions(title).some((m) => m.slug === force);
    };
    const mentions = passagesAbout(b.engine.kb, force).filter(
      (p) => p.named.includes(force) && ENGAGE_TERMS.test(p.text) && aboutForce(p.articleId),
    );
    if (mentions.length === 0)
      return b.status(
        unknown,
        `The knowledge base has no evidence about ${name}'s monitoring stage, so its status is unknown — that does not mean it is out of special measures.`,
      );
    unknown.evidence = mentions.slice(0, 3).map((p) => b.cite(p));
    return b.status(
      unknown,
      `The knowledge base has no report of ${name} entering or leaving Engage, so its stage is unknown. What the sources say:`,
      true,
    );
  }
  b.intent = 'status';
  const [current, ...older] = st.events;
  const evidence = (current?.passages ?? []).slice(0, 3).map((p) => b.cite(p));
  const history = older.map((e) => ({
    stage: e.stage,
    date: e.date,
    articleId: e.articleId,
    citations: e.passages.slice(0, 2).map((p) => b.cite(p)),
  }));
  let note: string | null = null;
  if (st.omittedBy) {
    const src = b.engine.kb.articles.get(st.omittedBy.articleId);
    const n = b.cite(st.omittedBy.passage);
    note = `A newer article (${src?.publisher ?? 'unknown'}, ${st.omittedBy.date}) lists forces in Engage without ${name} [${n}]; it may have left Engage since ${st.asOf}.`;
  }
  const [is, has] = until ? ['was', 'had'] : ['is', 'having'];
  // "having left Engage" only when the sources put it there: inspected and kept in Scan is not leaving.
  const left = st.events.some((e) => e.stage === 'engage') ? `, ${has} left Engage` : '';
  const stageText =
    (st.stage === 'engage'
      ? `${is} in Engage (“special measures”)`
      : `${is} in Scan (routine monitoring)${left}`) + (until ? ` at the end of ${until.slice(0, 4)}` : '');
  const since = st.since && st.since !== st.asOf ? `, reported since ${st.since}` : '';
  // History recalled by a later article ("moved out of Engage in June 2021") is dated to the time recalled.
  const asOf =
    current && current.date !== current.reported
      ? `as of ${current.date} (recalled on ${current.reported})`
      : `as reported on ${st.asOf}`;
  return b.status(
    { stage: st.stage, since: st.since, asOf: st.asOf, note, evidence, history },
    `${name} ${stageText}, ${asOf}${since}.`,
  );
}

function forcesAnswer(b: AnswerBuilder, parsed: ParsedQuery): Answer {
  const { engine } = b;
  const until = parsed.command ? null : askedYear(parsed.text);
  const rows: ForceStatusRow[] = [];
  const statuses = new Map<string, ForceStatus>();
  for (const now of engine.statuses.values()) {
    const st = until ? statusUntil(now, until) : now;
    if (st) statuses.set(st.force, st);
  }
  for (const st of statuses.values()) {
    const name = engine.kb.gazetteer.bySlug(st.force)?.name ?? st.force;
    rows.push({
      force: st.force,
      name,
      stage: st.stage,
      since: st.since,
      asOf: st.asOf,
      note: st.omittedBy ? `a newer article (${st.omittedBy.date}) lists Engage forces without it` : null,
      evidence: [],
    });
  }
  const order = { engage: 0, scan: 1, unknown: 2 } as const;
  rows.sort((x, y) => order[x.stage] - order[y.stage] || x.name.localeCompare(y.name));
  b.statuses = rows;
  if (rows.length === 0) return b.abstain('The knowledge base has no status evidence on any force yet.');
  // Sentences that answer the wording of the question ("how many…") first, then each force's evidence.
  if (!parsed.command && parsed.text) {
    const concepts = engine.index.concepts(parsed.text);
    for (const h of engine.index.search(concepts, { topic: 'status', limit: 5 }).slice(0, 2))
      if (h.coverage >= MIN_COVERAGE) b.cite(h.passage);
  }
  for (const row of rows) {
    const p = statuses.get(row.force)?.events[0]?.passages[0];
    if (p) row.evidence.push(b.cite(p));
  }
  const engage = rows.filter((r) => r.stage === 'engage');
  const caveats = engage.filter((r) => r.note).length;
  const scan = rows.filter((r) => r.stage === 'scan').length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (until)
    return b.done(
      `By the evidence up to the end of ${until.slice(0, 4)}, ${plural(engage.length, 'force was', 'forces were')} in Engage (“special measures”)` +
        (scan ? `; ${plural(scan, 'force had', 'forces had')} left it` : '') +
        '. Dates are those of the articles.',
    );
  return b.done(
    `By the newest evidence on each force, ${plural(engage.length, 'force is', 'forces are')} in Engage (“special measures”)` +
      (caveats ? ` — ${caveats} of them left out of a newer list of Engage forces` : '') +
      (scan ? `; ${plural(scan, 'force has', 'forces have')} left it` : '') +
      '. Dates are those of the articles.',
  );
}

function sourcesAnswer(b: AnswerBuilder): Answer {
  const { kb } = b.engine;
  const metas = [...kb.articles.values()].sort(
    (x, y) => y.published.localeCompare(x.published) || x.id.localeCompare(y.id),
  );
  b.sources = metas.map((m) => {
    const passages = kb.byArticle.get(m.id) ?? [];
    return {
      articleId: m.id,
      title: m.title,
      publisher: m.publisher,
      published: m.published,
      url: m.url ?? null,
      passages: passages.length,
      forces: [...new Set(passages.flatMap((p) => p.named))],
    };
  });
  if (metas.length === 0) return b.abstain('The knowledge base has no articles yet.');
  return b.done(`${metas.length} ${metas.length === 1 ? 'article' : 'articles'}, newest first:`);
}
