import type { ForceMatch, Gazetteer } from '../knowledge/gazetteer.js';
import { isTypoOf } from '../knowledge/typos.js';
import type { Intent } from './types.js';

/** A question after reading: what is asked, about which force, and the words left to search for. */
export interface ParsedQuery {
  intent: Intent;
  force: ForceMatch | null;
  /** A force argument the user gave that matches no known force ("/status atlantis"). */
  unknownForce: string | null;
  /** The question with command words removed, for searching. */
  text: string;
  /** True when the user typed a command (`/status …` or `status …`), not a sentence. */
  command: boolean;
}

const COMMANDS = ['status', 'findings', 'responses', 'ask', 'forces', 'sources'] as const;
const COMMAND_RE = new RegExp(`^\\s*/?(${COMMANDS.join('|')})\\b(?::)?\\s*(.*)$`, 'is');

const STAGE_WORDS =
  /\b(?:special measures|engage|enhanced (?:level of )?monitoring|monitoring|scan|status|stage|routine monitoring)\b/i;
const LIST_FORCES =
  /\b(?:which|what|how many)\b[^?]{0,40}\bforces\b|\b(?:list|name|all|every|each)\b[^?]{0,40}\bforces?\b|\bwhich (?:police )?force\b|\bforces\b[^?]{0,30}\b(?:are|in|under)\b[^?]{0,30}\b(?:special measures|engage|enhanced monitoring|monitoring)\b/i;
/** Questions that ask something else about forces in Engage: "who chairs the group that oversees forces in Engage?" */
const NOT_A_LIST =
  /^\s*(?:who|why|how(?! many)|when|where|does|do|is|can|could|should|would|in plain terms)\b/i;
/** "How much extra cash did X find…": a number is asked for, whatever the verb. */
const QUANTITY_QUESTION =
  /^\s*(?:how (?:much|many|long|often|fast|quickly)|what (?:share|proportion|percentage|number|fraction|rate))\b/i;
/**
 * A status question asks yes/no or when: "is X still in…", "has X left…", "when was X put into…", "X status",
 * or names no question at all ("gmp special measures?"). "What does X need to improve after leaving Engage?"
 * and "why was X put into…" ask for something else.
 */
const STATUS_SHAPE =
  /^(?:(?:so|and|but|ok|okay|hi|hey)[,\s]+)?(?:(?:is|are|was|were|has|have|had|did|does|do|will|would|can|could|remind me if)\b|when\b|since when\b|how long\b|(?:what|which) (?:date|day|month|year)\b|(?:what|which)(?:'s| is| was)? (?:the )?(?:stage|status|monitoring)\b|status\b|stage\b|(?!(?:what|why|how|who|where|which|tell|list|show|explain|describe|give)\b))/i;
/** "When does the commissioner want the force out of Engage?" asks about someone's aim, not the stage. */
const INTENTION = /\b(?:wants?|expects?|hopes?|plans?|aims?|targets?|intends?|predicts?)\b/i;
const SOURCES = /\b(?:sources|which articles|what articles|your articles|what do you know|knowledge base)\b/i;
const SAY_WORDS =
  /\b(?:say|said|says|tell|told|respond(?:ed|s)?|response|react(?:ed|ion)?|reply|replied|comment(?:ed)?|think|admit(?:s|ted)?|accept(?:s|ed)?|acknowledg\w*|concede[sd]?|den(?:y|ies|ied)|dispute[sd]?|(?:dis)?agree[sd]?)\b/i;
/** The inspectorate as the one speaking: "inspectors say", "the HMIC letter to the Met said", "did the watchdog tell". */
const INSPECTORATE_SAYS =
  /\b(?:hmic(?:frs)?|inspectors?|inspectorate|watchdog|report|letter|inspection)\s+(?:[\p{L}’'-]+\s+){0,3}?(?:say|said|says|tell|told|conclude|concluded|write|wrote)\b/iu;
const FIND_WORDS =
  /\b(?:find|found|findings|failings|failures|concerns?|causes? of concern|criticis\w*|wrong|problems)\b/i;

/**
 * Reads a question or a command. Commands (`/status west-midlands`, also without the slash) take a force
 * argument; free text is classified by its wording: a status question ("is the met still in special
 * measures?") becomes `status`, "what did X say" becomes `responses`, "which forces…" becomes `forces`.
 * `contextForce` is the force of the previous answer in a conversation ("what did they say?").
 *
 * @example parseQuery('is wmp in engage?', g).intent // 'status'
 */
export function parseQuery(
  query: string,
  gazetteer: Gazetteer,
  contextForce: string | null = null,
): ParsedQuery {
  const q = fixStageTypos(query.normalize('NFKC').replace(/\s+/g, ' ').trim());
  const cmd = COMMAND_RE.exec(q);
  if (cmd && (q.startsWith('/') || isBareCommand(cmd[1] ?? '', cmd[2] ?? ''))) {
    const intent = (cmd[1] ?? '').toLowerCase() as Intent;
    const arg = (cmd[2] ?? '').trim();
    if (intent === 'ask') return parseQuery(arg, gazetteer, contextForce);
    if (intent === 'forces' || intent === 'sources')
      return { intent, force: null, unknownForce: null, text: arg, command: true };
    if (!arg) {
      const force = contextForce ? { slug: contextForce, score: 1, via: 'slug' as const } : null;
      return { intent, force, unknownForce: force ? null : '', text: '', command: true };
    }
    const force = gazetteer.resolve(arg);
    return { intent, force, unknownForce: force ? null : arg, text: '', command: true };
  }

  const found = gazetteer.findInQuestion(q)[0] ?? null;
  const force = found ?? (contextForce ? { slug: contextForce, score: 0.5, via: 'slug' as const } : null);
  const base = { force, unknownForce: null, text: q, command: false };
  if (!found && LIST_FORCES.test(q) && STAGE_WORDS.test(q) && !NOT_A_LIST.test(q))
    return { ...base, intent: 'forces', force: null };
  if (!found && SOURCES.test(q)) return { ...base, intent: 'sources', force: null };
  if (
    force &&
    STAGE_WORDS.test(q) &&
    statusShaped(q) &&
    !SAY_WORDS.test(q) &&
    !FIND_WORDS.test(q) &&
    !INTENTION.test(q)
  )
    return { ...base, intent: 'status' };
  // "What did inspectors say about X?", "what did the HMIC letter to the Met say?": what they found.
  if (force && INSPECTORATE_SAYS.test(q)) return { ...base, intent: 'findings' };
  if (force && SAY_WORDS.test(q)) return { ...base, intent: 'responses' };
  if (force && FIND_WORDS.test(q) && !SAY_WORDS.test(q) && !QUANTITY_QUESTION.test(q))
    return { ...base, intent: 'findings' };
  return { ...base, intent: 'ask' };
}

/** "Before it went into Engage, what share of calls…": a leading time clause, then the question itself. */
const LEADING_CLAUSE =
  /^\s*(?:before|after|since|following|despite|although|though|while|given)\b[^,?]*,\s*/i;
/** "What's the latest on X, are they still in special measures?": a yes/no stage question after a comma. */
const LATER_STATUS_CLAUSE =
  /[,;:?—–]\s*(?:and\s+)?(?:is|are|has|have|was|were|will)\b[^,;?]*\b(?:special measures|engage|enhanced (?:level of )?monitoring|routine monitoring|scan)\b/i;

/**
 * The question without a leading time clause, which says when, not what: "Before it went into Engage,
 * what share of calls were answered late?" asks about calls.
 */
export function mainClause(q: string): string {
  return q.replace(LEADING_CLAUSE, '');
}

/** Whether a question asks for the stage, judged on its main clause or a stage question after a comma. */
function statusShaped(q: string): boolean {
  return STATUS_SHAPE.test(mainClause(q)) || LATER_STATUS_CLAUSE.test(q);
}

/** "status gloucestershire" is a command; "status of the met?" reads as one too; "sources say…" is not. */
function isBareCommand(word: string, rest: string): boolean {
  const w = word.toLowerCase();
  if (w === 'forces' || w === 'sources') return rest.trim() === '';
  return rest.trim().split(/\s+/).length <= 4 && !/[?]$/.test(rest.trim());
}

const STAGE_VOCABULARY = ['special', 'measures', 'monitoring', 'enhanced', 'engage'];

/** "speical measures" → "special measures": the words that decide a status question forgive typos. */
function fixStageTypos(q: string): string {
  return q.replace(/\p{L}{5,}/gu, (word) => {
    const lower = word.toLowerCase();
    if (STAGE_VOCABULARY.includes(lower)) return word;
    return STAGE_VOCABULARY.find((w) => isTypoOf(lower, w)) ?? word;
  });
}
