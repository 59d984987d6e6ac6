import { passagesAbout } from '../knowledge/build.js';
import type { Passage } from '../knowledge/schema.js';
import { ENGAGE_TERMS, NEGATED_ENGAGE } from '../knowledge/vocabulary.js';
import { type AnswerBuilder, MAX_ASK_CITATIONS } from './builder.js';
import type { Answer } from './types.js';

/**
 * Answers that explain a move: why a force was put into Engage (or was not), and what each side said
 * when it moved. They read the status timelines and the articles that reported the move.
 */

export const WHY_STAGE = /^\s*(?:why|how come|what (?:led|caused|were the reasons|was the reason))\b/i;
/** Sentences that give a reason: causes of concern, failings, what inspectors found. */
const CAUSAL =
  /\b(?:causes? (?:of|for) concern|because|after|following|due to|over (?:concerns|failings)|failings?|failed|failures?|concerns?|found|revealed|not\b|inadequate|factors?)\b/i;

/**
 * "Why was X put into special measures?": the article that reported the force entering Engage (of the
 * year asked about, if any) and its sentences giving the reasons, the inspectorate's first.
 */
export function whyAnswer(b: AnswerBuilder, force: string, text: string): Answer | null {
  const { kb } = b.engine;
  // Articles reporting the entry as news; one recalling it years later explains other things.
  const events =
    b.engine.statuses.get(force)?.events.filter((e) => e.stage === 'engage' && e.date === e.reported) ?? [];
  const year = /\b(?:19|20)\d{2}\b/.exec(text)?.[0];
  const inYear = year ? events.filter((e) => e.date.startsWith(year)) : [];
  const pool = inYear.length ? inYear : events;
  const about = (p: Passage) => p.forces.includes(force) && p.speakerRole !== 'force';
  const explained = pool.find((e) =>
    (kb.byArticle.get(e.articleId) ?? []).some((p) => about(p) && p.topic === 'finding'),
  );
  const event = explained ?? pool[0];
  if (!event) return whyFromHistory(b, force);
  const score = (p: Passage) =>
    (CAUSAL.test(p.text) ? 2 : 0) +
    (p.topic === 'finding' ? 1 : 0) +
    (p.speakerRole === 'inspectorate' ? 1 : 0) +
    (event.passages[0]?.id === p.id ? 1.5 : 0) -
    (p.named.length >= 3 ? 2 : 0) -
    (p.forces[0] !== force ? 2 : 0);
  const ranked = (kb.byArticle.get(event.articleId) ?? [])
    .filter((p) => about(p) && (p.topic === 'finding' || p.topic === 'status'))
    .sort((x, y) => score(y) - score(x) || x.position - y.position)
    .slice(0, MAX_ASK_CITATIONS);
  // A list of the forces in Engage says that it is, not why.
  const gives = (p: Passage) => (CAUSAL.test(p.text) || p.topic === 'finding') && p.named.length < 3;
  if (!ranked.some(gives))
    return (
      whyFromHistory(b, force) ?? b.abstain(`The sources report ${b.forceName} in Engage but do not say why.`)
    );
  // The reasons, and the report of the move itself when it names the force; not asides about others.
  for (const p of ranked)
    if (gives(p) || (p.id === event.passages[0]?.id && p.named.includes(force))) b.cite(p);
  return b.done(`Why ${b.forceName} was put into Engage (“special measures”), as reported on ${event.date}:`);
}

export const NEGATED_QUESTION = /n['’]t\b|\b(?:not|never|didnt|wasnt|hasnt|isnt)\b/i;
/** A decision against Engage: "decided against it", "stopped short of", "will not be placed in special measures". */
const DECIDED_AGAINST =
  /\b(?:decided against|decided not to|stopped short of|chose not to|declined to|will not be (?:placed|put)|would not be (?:placed|put)|not to (?:place|put|escalate|move))\b/i;

/**
 * "Why wasn't X put into special measures?": the sentences reporting the decision against it, those
 * giving a reason ("…decided against it because the force had taken decisive action") first.
 */
export function whyNotAnswer(b: AnswerBuilder, force: string): Answer | null {
  const about = passagesAbout(b.engine.kb, force).filter(
    (p) => p.speakerRole !== 'force' && (DECIDED_AGAINST.test(p.text) || NEGATED_ENGAGE.test(p.text)),
  );
  const because = (p: Passage) => Number(/\b(?:because|as|after|since|given|due to)\b/i.test(p.text));
  const ranked = [...about].sort((x, y) => because(y) - because(x) || x.position - y.position);
  if (ranked.length === 0) return null;
  for (const p of ranked.slice(0, MAX_ASK_CITATIONS)) b.cite(p);
  return b.done(`Why ${b.forceName} was not put into Engage (“special measures”), as the sources report it:`);
}

/** "…when X left Engage", "…when it was put into special measures": group 1 an exit, group 2 an entry. */
export const EVENT_WHEN =
  /\bwhen\b[^?]*?\b(?:(left|leaving|leave|exited|exit|came out|come out|taken out|moved out|returned to|went back to|moved back)|(entered|entering|went into|go into|was put|were put|put into|placed|moved into|escalated))\b[^?]*\b(?:special measures|engage|enhanced monitoring|routine monitoring|scan)\b/i;

/**
 * "What did the inspectorate say when X left Engage?": the sentences of the article that reported that
 * move, from the side asked about (the inspectorate, the force, or anyone when not said).
 */
export function eventAnswer(b: AnswerBuilder, force: string, text: string): Answer | null {
  const m = EVENT_WHEN.exec(text);
  if (!m) return null;
  const stage = m[1] ? 'scan' : 'engage';
  const event = b.engine.statuses.get(force)?.events.find((e) => e.stage === stage);
  if (!event) return null;
  const asked = text.slice(0, m.index);
  const role = /\b(?:hmic\w*|inspector\w*|watchdog|report|letter)\b/i.test(asked)
    ? 'inspectorate'
    : /\b(?:say|said|respond|react)\b/i.test(asked)
      ? 'force'
      : null;
  const passages = (b.engine.kb.byArticle.get(event.articleId) ?? []).filter(
    (p) => p.forces.includes(force) && (role === null || p.speakerRole === role),
  );
  if (passages.length === 0) return null;
  // Quotes first, then what was reported, in the article's order.
  const chosen = [...passages]
    .sort((x, y) => Number(y.speaker !== null) - Number(x.speaker !== null) || x.position - y.position)
    .slice(0, MAX_ASK_CITATIONS)
    .sort((x, y) => x.position - y.position);
  for (const p of chosen) b.cite(p);
  const who = role === 'inspectorate' ? 'the inspectorate' : role === 'force' ? b.forceName : 'the sources';
  const move = stage === 'scan' ? 'left' : 'entered';
  return b.done(`What ${who} said when ${b.forceName} ${move} Engage, as reported on ${event.date}:`);
}

/**
 * "Why was TVP put in Engage in the first place?" when only a later article recalls the entry ("it was put
 * into Engage in 2022 over the way it answered calls"): the sentences that recall it with a reason.
 */
function whyFromHistory(b: AnswerBuilder, force: string): Answer | null {
  const date = (p: Passage) => b.engine.kb.articles.get(p.articleId)?.published ?? '';
  const recalled = passagesAbout(b.engine.kb, force)
    .filter((p) => p.speakerRole !== 'force' && ENGAGE_TERMS.test(p.text) && CAUSAL.test(p.text))
    .sort(
      (x, y) =>
        Number(y.named.includes(force)) - Number(x.named.includes(force)) || date(y).localeCompare(date(x)),
    )
    .slice(0, MAX_ASK_CITATIONS);
  if (recalled.length === 0) return null;
  for (const p of recalled) b.cite(p);
  return b.done(`Why ${b.forceName} was put into Engage (“special measures”), as the sources recall it:`);
}
