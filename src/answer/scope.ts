/**
 * What this knowledge base answers: questions about police forces and their inspections, from articles
 * about policing. Everything here recognises a question or an article that is outside that.
 */

import type { KnowledgeBase } from '../knowledge/build.js';
import { cleanParagraphs } from '../knowledge/clean.js';
import { ENGAGE_TERMS } from '../knowledge/vocabulary.js';
import type { Engine } from './compose.js';

const POLICING = /\b(?:police|policing|constabulary|hmic(?:frs)?|chief constable|officers?)\b/i;
const policingCache = new WeakMap<KnowledgeBase, Set<string>>();

/** Articles about policing: some sentence names a force or speaks of police. Worked out once per knowledge base. */
export function policingArticles(kb: KnowledgeBase): Set<string> {
  let ids = policingCache.get(kb);
  if (!ids) {
    ids = new Set(
      kb.passages.filter((p) => p.named.length > 0 || POLICING.test(p.text)).map((p) => p.articleId),
    );
    policingCache.set(kb, ids);
  }
  return ids;
}

/** A name after a rank or title, in any case: "chief constable priya matharu", "Ms Jo Bloggs". */
const TITLED_NAME =
  /\b(?:(?:deputy |assistant )?chief constable|commissioner|inspector|superintendent|sergeant|mr|mrs|ms|miss|dr|sir|dame|cllr|councillor|professor|prof)\.?\s+(\p{L}[\p{L}’'-]+(?:\s+\p{L}[\p{L}’'-]+)?)/iu;
/** Two capitalised words inside a question: "What did Priya Matharu say?" */
const CAPITALISED_NAME = /(?<=\s)(\p{Lu}\p{Ll}[\p{L}’'-]*\s+\p{Lu}\p{Ll}[\p{L}’'-]*)/u;

/**
 * A person's name in the question that no article uses (none of its words are known), or null. Force
 * names and the knowledge base's own words are never taken for one.
 */
export function unknownName(engine: Engine, text: string): string | null {
  const name = TITLED_NAME.exec(text)?.[1] ?? CAPITALISED_NAME.exec(text)?.[1];
  if (!name || engine.kb.gazetteer.mentions(name).length > 0) return null;
  const concepts = engine.index.concepts(name);
  return concepts.length > 0 && concepts.every((c) => !c.known) ? name : null;
}

/** Bodies that are inspected too, but are not police: fire and rescue services, prisons, probation. */
const OTHER_INSPECTED =
  /\b(?:fire and rescue|fire (?:service|brigade|authority)s?|inspectorate of (?:prisons|probation)|prisons?|hmp|probation|ofsted|cqc|care quality commission)\b/i;

/** A question that reads as page furniture (not a sub-heading, which questions resemble). */
export function isFurniture(text: string): boolean {
  const dropped = cleanParagraphs([text]).dropped[0];
  return dropped !== undefined && !dropped.reason.startsWith('heading');
}

/** Bodies other than police forces that inspectors put into special measures. */
const OTHER_INSTITUTION =
  /\b(?:schools?|academy|academies|colleges?|universit(?:y|ies)|hospitals?|nhs|trusts?|councils?|prisons?|jails?|care homes?|nurser(?:y|ies)|gp|surgery|surgeries|ambulance|fire (?:and rescue )?services?|maternity|children'?s services)\b/i;

/**
 * Schools, hospitals and councils are put into special measures too, and fire services and prisons are
 * inspected: a question about one of them is not about police.
 */
export function aboutOtherBody(text: string): boolean {
  return OTHER_INSPECTED.test(text) || (ENGAGE_TERMS.test(text) && OTHER_INSTITUTION.test(text));
}
