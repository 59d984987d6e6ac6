import type { KnowledgeBase } from '../knowledge/build.js';
import type { Passage } from '../knowledge/schema.js';
import {
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
  date: string;
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
const YEAR = /\b(?:19|20)\d{2}\b/g;
/** A question asks; it reports nothing ("are we looking at the force being put in special measures?"). */
const QUESTION = /\?[”"’'»)\s]*$/u;

/**
 * Which stage a sentence reports about its subject, if any, read from its main clause: "placed back into
 * special measures, four years after it was moved out" is an entry; "spent two years in Engage before it
 * was returned to Scan" ends with the exit. With `articleDate`, a clause dated to an earlier year ("was
 * moved out of Engage in June 2021") is history, not news, and reports nothing.
 *
 * @example stageOf('Kent Police, which entered Engage in 2021, has been taken out of special measures.') // 'scan'
 */
export function stageOf(text: string, articleDate?: string): Exclude<Stage, 'unknown'> | null {
  if (QUESTION.test(text)) return null;
  const later = LATER_CLAUSE.exec(text)?.[1];
  const laterStage = later ? clauseStage(later, articleDate) : null;
  if (laterStage) return laterStage;
  const main = text.replace(SUBORDINATE, ' ');
  if (PAST_STAY.test(main)) return null;
  return clauseStage(main, articleDate);
}

function clauseStage(clause: string, articleDate?: string): Exclude<Stage, 'unknown'> | null {
  if (articleDate) {
    const year = Number(articleDate.slice(0, 4));
    if ((clause.match(YEAR) ?? []).some((y) => Number(y) < year)) return null;
  }
  if (SPECULATIVE_TERMS.test(clause)) return null;
  if (EXIT_TERMS.test(clause) || SCAN_TERMS.test(clause) || NEGATED_ENGAGE.test(clause)) return 'scan';
  if (ENGAGE_STATE.test(clause)) return 'engage';
  return null;
}

/**
 * Builds every force's status timeline from the annotated passages. The newest article wins; within an
 * article the strongest sentence (naming the force, about its stage, earliest) decides. A list of the
 * Engage forces (a sentence naming three or more of them, or `ROSTER`-shaped) in a newer article that leaves a force out
 * becomes a note on that force rather than silently keeping or dropping its stage.
 */
export function buildStatuses(kb: KnowledgeBase): Map<string, ForceStatus> {
  const byForce = new Map<string, Map<string, { engage: Passage[]; scan: Passage[] }>>();
  const rosters = new Map<string, { forces: Set<string>; passage: Passage }>();
  const dateOf = (articleId: string) => kb.articles.get(articleId)?.published ?? '0000-00-00';
  const stages = new Map<string, Exclude<Stage, 'unknown'>>();
  for (const p of kb.passages) {
    const stage = stageOf(p.text, dateOf(p.articleId));
    if (!stage) continue;
    stages.set(p.id, stage);
    for (const force of evidenceForces(p)) {
      const perArticle = byForce.get(force) ?? new Map();
      byForce.set(force, perArticle);
      const ev = perArticle.get(p.articleId) ?? { engage: [], scan: [] };
      perArticle.set(p.articleId, ev);
      ev[stage].push(p);
    }
    if (stage === 'engage' && (p.named.length >= 3 || (p.named.length >= 1 && ROSTER.test(p.text)))) {
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
    const events: ArticleEvidence[] = [...perArticle].map(([articleId, ev]) => {
      const strongest = rankEvidence([...ev.engage, ...ev.scan], force)[0];
      const stage = strongest && ev.scan.includes(strongest) ? 'scan' : 'engage';
      return { articleId, date: dateOf(articleId), stage, passages: rankEvidence(ev[stage], force) };
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
  /\bforces? (?:currently |now |still |presently )?(?:in|under)\b[^.;]{0,50}?\b(?:are|is)\b|\b(?:are|is) (?:now |currently )?the (?:only |other )?(?:two |three |four |five )?(?:police )?forces? (?:currently |now |still )?(?:in|under)\b/i;

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
  if (implied.length === 0 || REFERS.test(p.text) || p.speakerRole === 'force') return p.forces;
  return p.named;
}

/** Strongest evidence first: the force named outright, a plain statement over a quote, earlier in the story. */
function rankEvidence(passages: Passage[], force: string): Passage[] {
  const weight = (p: Passage) =>
    (p.named.includes(force) ? 4 : 0) +
    (p.forces[0] === force ? 2 : 0) +
    (p.topic === 'status' ? 2 : 0) +
    (p.speakerRole === 'force' ? -3 : 0) +
    (p.named.length >= 3 ? -1 : 0);
  return [...passages].sort((a, b) => weight(b) - weight(a) || a.position - b.position);
}
