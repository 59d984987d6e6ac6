import type { KnowledgeBase } from '../knowledge/build.js';
import type { Passage } from '../knowledge/schema.js';
import {
  COMPARED_WITH,
  ENGAGE_STATE,
  EXIT_TERMS,
  NEGATED_ENGAGE,
  PAST_STAY,
  SCAN_TERMS,
  SPECULATIVE_TERMS,
} from '../knowledge/vocabulary.js';
import type { Stage } from './types.js';

/** Status evidence from one article about one force. */
export interface ArticleEvidence {
  articleId: string;
  /** When the stage held: the article's date, or the earlier time it recalls (`2021-06`, `2021`). */
  date: string;
  /** The article's date. */
  reported: string;
  stage: Exclude<Stage, 'unknown'>;
  /** Supporting passages, strongest first. */
  passages: Passage[];
}

/** What the knowledge base says about one force's stage, before any rendering. */
export interface ForceStatus {
  force: string;
  stage: Stage;
  since: string | null;
  asOf: string | null;
  /** Newest evidence first. */
  events: ArticleEvidence[];
  /** A newer article listing the Engage forces without this one (only when the stage is engage). */
  omittedBy: { articleId: string; date: string; passage: Passage } | null;
}

/** Subordinate and relative clauses tell of other times: "…, which was put into special measures in 2021,". */
const SUBORDINATE =
  /,\s*(?:which|who)\b[^,]*(?:,|$)|\b(?:after|since|before|when|until|although|though|while|once|despite)\b[^,;.]*/gi;
/** "…in Engage before it was returned to Scan": what follows before/until happened later. */
const LATER_CLAUSE = /\b(?:before|until|till)\b([^,;.]*)/i;
/** Every stage phrase the patterns below can match contains one of these words. */
const STAGE_HINT = /special measures|engage|monitoring|\bscan\b|\bprocess\b/i;
/** A question asks; it reports nothing ("are we looking at the force being put in special measures?"). */
const QUESTION = /\?[”"’'»)\s]*$/u;

/** A stage a sentence reports, and the time it reports it for. */
export interface StageEvent {
  stage: Exclude<Stage, 'unknown'>;
  /** The article's date, or for history ("moved out of Engage in June 2021") the earlier time it names: `2021-06` or `2021`. */
  date: string;
}

/**
 * Which stage a sentence reports as news on `articleDate`, read from its main clause: "placed back into
 * special measures, four years after it was moved out" is an entry; "spent two years in Engage before it
 * was returned to Scan" ends with the exit. A clause dated to an earlier year ("was moved out of Engage in
 * June 2021") is history, not news: null here (`stageEvents` dates it).
 *
 * @example stageOf('Kent Police, which entered Engage in 2021, has been taken out of special measures.') // 'scan'
 */
export function stageOf(text: string, articleDate = NO_DATE): Exclude<Stage, 'unknown'> | null {
  return stageEvents(text, articleDate).find((e) => e.date === articleDate)?.stage ?? null;
}

const NO_DATE = '9999-12-31';

/**
 * Every stage a sentence reports, each dated: the news of its main clause (or of a later before/until
 * clause) at the article's date, and history in dated clauses at the time they name ("Kent Police, which
 * was put into special measures in 2021, …" is Engage in 2021). "Since leaving special measures" says the
 * force is out now.
 *
 * @example stageEvents('Kent Police, which entered Engage in 2021, has left special measures.', '2024-05-01')
 * // [{ stage: 'scan', date: '2024-05-01' }, { stage: 'engage', date: '2021' }]
 */
export function stageEvents(text: string, articleDate: string): StageEvent[] {
  // Most sentences never name a stage: skip the clause analysis for them.
  if (!STAGE_HINT.test(text) || QUESTION.test(text)) return [];
  const events: StageEvent[] = [];
  const later = LATER_CLAUSE.exec(text)?.[1];
  const laterEvent = later ? datedStage(later, articleDate) : null;
  const main = text.replace(SUBORDINATE, ' ');
  // "When inspectors are satisfied, the force is returned to routine monitoring" tells how it works.
  const general = GENERAL.test(text);
  const mainEvents = laterEvent ? [laterEvent] : general ? [] : coordinateEvents(main, articleDate);
  const mainEvent = mainEvents[0] ?? null;
  events.push(...mainEvents);
  for (const clause of text.match(SUBORDINATE) ?? []) {
    if (later && clause.includes(later)) continue;
    const e = datedStage(clause, articleDate);
    if (!e) continue;
    if (e.date !== articleDate) events.push(e);
    else if (!mainEvent && e.stage === 'scan' && SINCE_EXIT.test(clause)) events.push(e);
  }
  return events;
}

/** A sentence opening with a condition describes the process, not a force's stage. */
const GENERAL = /^\s*(?:when|whenever|if|once|unless)\b/i;
/** Where one main clause ends and another begins: "left Engage in 2023 but was returned to it in 2025". */
const COORDINATE =
  /\s+but\s+|;\s*|,\s+(?:and\s+|then\s+)?(?=(?:was|were|has|have|had|then|later|it)\b)|\s+and\s+(?=(?:was|were|has|had|then|later)\b)/i;
const STAGE_NAME =
  /[“"‘']?(?:special measures|engage|enhanced (?:level of )?monitoring|routine monitoring|scan)\b/i;

/**
 * The stages of each main clause of a sentence, each dated by its own years: "Cleveland left Engage in April
 * 2023 but was returned to it in November 2025" is an exit then an entry. "It" after a move names the stage
 * an earlier clause named.
 */
function coordinateEvents(main: string, articleDate: string): StageEvent[] {
  const events: StageEvent[] = [];
  let named: string | null = null;
  for (let clause of main.split(COORDINATE)) {
    if (named) clause = clause.replace(/\b(to|into|in|under|out of|from)\s+it\b/i, `$1 ${named}`);
    named = STAGE_NAME.exec(clause)?.[0] ?? named;
    if (PAST_STAY.test(clause)) continue;
    const e = datedStage(clause, articleDate);
    if (e) events.push(e);
  }
  return events;
}

/** "…since leaving special measures", "since it was moved out of Engage": out, and still out. */
const SINCE_EXIT = /^\s*since\b/i;

function datedStage(clause: string, articleDate: string): StageEvent | null {
  const stage = clauseStage(clause);
  return stage ? { stage, date: clauseDate(clause, articleDate) } : null;
}

function clauseStage(clause: string): Exclude<Stage, 'unknown'> | null {
  if (SPECULATIVE_TERMS.test(clause)) return null;
  if (EXIT_TERMS.test(clause) || SCAN_TERMS.test(clause) || NEGATED_ENGAGE.test(clause)) return 'scan';
  if (ENGAGE_STATE.test(clause)) return 'engage';
  return null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DATED =
  /\b(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?(?:((?:19|20)\d{2})\b|(last year))/gi;

/** The latest time before the article's year that a clause names ("in June 2021", "in July last year"), else the article's date. */
function clauseDate(clause: string, articleDate: string): string {
  const articleYear = Number(articleDate.slice(0, 4));
  let best: string | null = null;
  for (const m of clause.matchAll(DATED)) {
    const year = m[3] ? articleYear - 1 : Number(m[2]);
    if (!(year < articleYear)) continue;
    const month = m[1] ? MONTHS.indexOf(m[1].toLowerCase()) + 1 : 0;
    const date = month ? `${year}-${String(month).padStart(2, '0')}` : String(year);
    if (!best || date > best) best = date;
  }
  return best ?? articleDate;
}

/**
 * Builds every force's status timeline from the annotated passages. The newest article wins; within an
 * article the strongest sentence (naming the force, about its stage, earliest) decides. A list of the
 * Engage forces (a sentence naming three or more of them, or `ROSTER`-shaped) in a newer article that leaves a force out
 * becomes a note on that force rather than silently keeping or dropping its stage.
 */
export function buildStatuses(kb: KnowledgeBase): Map<string, ForceStatus> {
  type Evidence = { articleId: string; date: string; engage: Passage[]; scan: Passage[] };
  /** Per force, per article and date reported ("<articleId> <date>"). */
  const byForce = new Map<string, Map<string, Evidence>>();
  const rosters = new Map<string, { forces: Set<string>; passage: Passage }>();
  const dateOf = (articleId: string) => kb.articles.get(articleId)?.published ?? '0000-00-00';
  /** The stage each passage reports as news on its article's date. */
  const stages = new Map<string, Exclude<Stage, 'unknown'>>();
  for (const p of kb.passages) {
    const published = dateOf(p.articleId);
    // A list item completes the line introducing it: "Three forces are in Engage:" + "- Gwent Police".
    const text = p.lead ? `${p.lead} ${p.text}` : p.text;
    const found = stageEvents(text, published);
    if (found.length === 0) continue;
    const forces = evidenceForces(p);
    for (const { stage, date } of found) {
      if (date === published) stages.set(p.id, stage);
      for (const force of forces) {
        const perArticle = byForce.get(force) ?? new Map<string, Evidence>();
        byForce.set(force, perArticle);
        const key = `${p.articleId} ${date}`;
        const ev = perArticle.get(key) ?? { articleId: p.articleId, date, engage: [], scan: [] };
        perArticle.set(key, ev);
        ev[stage].push(p);
      }
    }
    const stage = stages.get(p.id);
    if (stage === 'engage' && (p.named.length >= 3 || (p.named.length >= 1 && ROSTER.test(text)))) {
      const roster = rosters.get(p.articleId);
      if (roster) for (const f of p.forces) roster.forces.add(f);
      else rosters.set(p.articleId, { forces: new Set(p.forces), passage: p });
    }
  }
  // Forces in a roster article's other Engage sentences belong to its roster too.
  for (const [articleId, roster] of rosters)
    for (const p of kb.byArticle.get(articleId) ?? [])
      if (stages.get(p.id) === 'engage') for (const f of p.forces) roster.forces.add(f);

  const out = new Map<string, ForceStatus>();
  for (const [force, perArticle] of byForce) {
    const events: ArticleEvidence[] = [...perArticle.values()].map((ev) => {
      const strongest = rankEvidence([...ev.engage, ...ev.scan], force)[0];
      const stage = strongest && ev.scan.includes(strongest) ? 'scan' : 'engage';
      return {
        articleId: ev.articleId,
        date: ev.date,
        reported: dateOf(ev.articleId),
        stage,
        passages: rankEvidence(ev[stage], force),
      };
    });
    events.sort((a, b) => b.date.localeCompare(a.date) || a.articleId.localeCompare(b.articleId));
    const newest = events[0];
    if (!newest) continue;
    let since = newest.date;
    for (const e of events) {
      if (e.stage !== newest.stage) break;
      since = e.date;
    }
    let omittedBy: ForceStatus['omittedBy'] = null;
    if (newest.stage === 'engage') {
      for (const [articleId, roster] of rosters) {
        const date = dateOf(articleId);
        if (date > newest.date && !roster.forces.has(force) && (!omittedBy || date > omittedBy.date))
          omittedBy = { articleId, date, passage: roster.passage };
      }
    }
    out.set(force, { force, stage: newest.stage, since, asOf: newest.date, events, omittedBy });
  }
  return out;
}

/**
 * A sentence listing the forces in Engage, however few: "the forces in Engage are X and Y", "X is the only
 * force in special measures". ("Forces in Engage include X" lists some, not all.)
 */
const ROSTER =
  /\bjoins?\b[^.;]{0,120}?\bin (?:the )?(?:inspectorate['’]s )?[“"']?(?:special measures|engage)|\bremains? in (?:the )?[“"']?(?:special measures|engage)[”"']?(?: process)? (?:alongside|along with)\b|\bforces (?:are|remain) (?:currently |now |still )?(?:in|under)\b|\bforces? (?:currently |now |still |presently )?(?:in|under)\b[^.;]{0,50}?\b(?:are|is)\b|\b(?:are|is) (?:now |currently )?the (?:only |other )?(?:two |three |four |five )?(?:police )?forces? (?:currently |now |still )?(?:in|under)\b/i;

/** Words by which a sentence that names no force points at the one in focus. */
const REFERS =
  /^(?:it|its|he|she|they)\b|\b(?:the force|the constabulary|the service|its|one of the|the two forces)\b|\bthe (?:[\p{L}’'-]+ ){0,3}force\b|\b(?:neither|both|either|each) (?:of the )?(?:two )?forces?\b/iu;

/**
 * The forces a sentence is evidence about: those it names, and the force in focus only when the sentence
 * points at it ("the force has been moved into…", "It is among…") — "Engage is not too harsh" is about
 * Engage, not about whichever force the article mentioned last.
 */
function evidenceForces(p: Passage): string[] {
  const implied = p.forces.filter((f) => !p.named.includes(f));
  // "Unlike X and Y, which are in Engage, the force will remain under routine monitoring": the stage is
  // the subject's, not the compared forces'.
  if (COMPARED_WITH.test(p.text)) return implied;
  if (implied.length === 0 || REFERS.test(p.text) || p.speakerRole === 'force') return p.forces;
  return p.named;
}

/**
 * Strongest evidence first: the force named outright, a sentence mainly about it (not one about another
 * force that mentions it: "It is among…, alongside the Met"), a plain statement over a quote, earlier in
 * the story.
 */
function rankEvidence(passages: Passage[], force: string): Passage[] {
  const weight = (p: Passage) =>
    (p.named.includes(force) ? 4 : 0) +
    (p.forces[0] === force ? 2 : p.forces[0] && !p.named.includes(p.forces[0]) ? -3 : 0) +
    (p.topic === 'status' ? 2 : 0) +
    (p.speakerRole === 'force' ? -3 : 0) +
    (p.named.length >= 3 ? -1 : 0);
  return [...passages].sort((a, b) => weight(b) - weight(a) || a.position - b.position);
}

/**
 * A force's status as the knowledge base showed it at the end of `until` (a date or year): "which forces
 * were in special measures in 2022?". Null when nothing was known by then.
 *
 * @example statusUntil(statuses.get('kent'), '2022-12-31')?.stage
 */
export function statusUntil(st: ForceStatus, until: string): ForceStatus | null {
  const events = st.events.filter((e) => e.date <= until);
  const newest = events[0];
  if (!newest) return null;
  let since = newest.date;
  for (const e of events) {
    if (e.stage !== newest.stage) break;
    since = e.date;
  }
  const omittedBy = st.omittedBy && st.omittedBy.date <= until ? st.omittedBy : null;
  return { ...st, stage: newest.stage, since, asOf: newest.date, events, omittedBy };
}
