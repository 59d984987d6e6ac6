import { stemmer } from 'stemmer';

/**
 * How text becomes index terms, shared by indexing and querying so both sides agree: Unicode word
 * tokens, case and apostrophe folding, English stop words dropped, Porter stemming except for protected
 * words (place names and acronyms such as Wales or HMICFRS, which stemming would mangle: "wale", "hmicfr").
 */

/** Common English words plus question words: they carry no meaning for retrieval and slow big queries. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are aren't as at be because been before being below
  between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
  few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
  herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
  most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
  shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
  themselves then there there's these they they'd they'll they're they've this those through to too under
  until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
  which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours
  yourself yourselves tell know please also still currently now just will shall may might must get got s
  one ones anything something thing things say said says tells told much many done
  whats hows whos wheres whens whys thats theres dont doesnt didnt isnt arent wasnt werent cant wont hasnt
  havent im ive youre theyre basically actually exactly really simply kindly kind sort
  ok okay alright w wat wot wut wht wen hw abt`.split(/\s+/),
);

/** Stems of the stop-word verbs, whose other forms ("getting", "telling", "saying") say no more. */
const STOP_VERBS: ReadonlySet<string> = new Set(['get', 'do', 'tell', 'sai', 'be', 'have', 'know']);

/**
 * Irregular forms the stemmer cannot join to their verb ("went", "found", "spent"): a question says "goes
 * back", the article "went back". "Met" is left alone: it is also the force.
 */
const IRREGULAR: ReadonlyMap<string, string> = new Map(
  Object.entries({
    go: 'goes went gone',
    find: 'found',
    leave: 'left',
    lead: 'led',
    fall: 'fell fallen',
    see: 'saw seen',
    rise: 'rose risen',
    lose: 'lost',
    win: 'won',
    spend: 'spent',
    come: 'came',
    take: 'took taken',
    give: 'gave given',
    make: 'made',
    bring: 'brought',
    buy: 'bought',
    catch: 'caught',
    keep: 'kept',
    hold: 'held',
    send: 'sent',
    begin: 'began begun',
    choose: 'chose chosen',
    write: 'wrote written',
    know: 'knew known',
    grow: 'grew grown',
    show: 'shown',
    break: 'broke broken',
    hide: 'hid hidden',
    seek: 'sought',
    think: 'thought',
    feel: 'felt',
    hear: 'heard',
    mean: 'meant',
    stand: 'stood',
    understand: 'understood',
    run: 'ran',
    strike: 'struck',
    drive: 'drove driven',
    speak: 'spoke spoken',
    steal: 'stole stolen',
    withdraw: 'withdrew withdrawn',
    undertake: 'undertook undertaken',
  }).flatMap(([base, forms]) => forms.split(' ').map((f) => [f, base] as const)),
);

/** Words that stemming would damage and that users type as they are. */
const ALWAYS_PROTECTED = [
  'hmicfrs',
  'hmic',
  'peel',
  'wales',
  'mps',
  'wmp',
  'gmp',
  'btp',
  'psni',
  'pcc',
  'news',
];

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Splits text into raw word tokens (keeps inner apostrophes: "force’s", "don't"). */
export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** A term processor for one knowledge base: `protectedWords` are kept unstemmed (lower-case). */
export interface Analyzer {
  /** Index-time and query-time term processing; null drops the token. */
  term(token: string): string | null;
  /** tokenize + term, for convenience. */
  terms(text: string): string[];
}

/** Builds the analyzer; pass the words of every force name and alias so place names stay whole. */
export function createAnalyzer(protectedWords: Iterable<string>): Analyzer {
  const keep = new Set(ALWAYS_PROTECTED);
  for (const w of protectedWords) keep.add(w.toLowerCase());
  const cache = new Map<string, string | null>();
  const term = (token: string): string | null => {
    const hit = cache.get(token);
    if (hit !== undefined) return hit;
    let t = token.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/’/g, "'");
    let out: string | null;
    if (STOP_WORDS.has(t)) out = null;
    else {
      t = t.replace(/'s$|'$/, '');
      if (t.length === 0 || STOP_WORDS.has(t)) out = null;
      else if (keep.has(t) || /\d/.test(t)) out = t;
      else {
        // "getting", "doing": inflections of stop words are stop words too.
        const stem = stemmer(IRREGULAR.get(t) ?? t.replace(/'/g, ''));
        out = STOP_VERBS.has(stem) ? null : stem;
      }
    }
    if (cache.size < 200_000) cache.set(token, out);
    return out;
  };
  return {
    term,
    terms: (text) => {
      const out: string[] = [];
      for (const tok of tokenize(text)) {
        const t = term(tok);
        if (t) out.push(t);
      }
      return out;
    },
  };
}

/**
 * Domain synonyms: each group lists phrases that mean the same to a reader of inspection news. A query
 * using any of them also searches for the others.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  [
    'special measures',
    'engage',
    'enhanced monitoring',
    'enhanced level of monitoring',
    'monitoring process',
    'closer watch',
    'closer scrutiny',
    'extra scrutiny',
    'enhanced scrutiny',
  ],
  ['watchdog', 'inspectorate', 'hmic', 'hmicfrs', 'inspectors', 'inspector', 'inspection'],
  ['chief constable', 'police chief'],
  ['improve', 'improvement', 'progress', 'better'],
  ['respond', 'response', 'reaction', 'react', 'reply'],
  ['failings', 'failures', 'concerns', 'problems', 'issues'],
  ['sex offenders', 'sexual offenders'],
  ['calls', '999'],
  ['pcc', 'police and crime commissioner', 'police fire and crime commissioner', 'commissioner'],
  ['runs', 'leads', 'heads', 'chief constable', 'in charge'],
  ['money', 'funding', 'funds', 'fund', 'budget', 'cash', 'pay for', 'investment', 'spending', 'cost'],
  // Everyday words for what articles say formally.
  ['emergency calls', 'emergency line', 'emergency number', '999 calls', '999'],
  ['non-emergency calls', 'non-emergency line', 'non-emergency number', 'non-emergency', '101 calls', '101'],
  ['answer', 'answered', 'answering', 'pick up', 'picked up', 'picks up', 'picking up'],
  ['wait', 'waiting', 'waited', 'hold', 'queue', 'delay', 'delays', 'hanging'],
  ['sacked', 'sack', 'fired', 'dismissed', 'dismiss'],
  ['extra', 'additional'],
  ['staff', 'posts', 'employees', 'personnel', 'workers'],
  ['workload', 'workloads', 'caseload', 'caseloads'],
  ['doctor', 'doctors', 'medic', 'medics', 'nurse', 'nurses', 'healthcare', 'medical'],
  [
    'revisit',
    'go back',
    'went back',
    'come back',
    'return',
    'reassess',
    'reassessed',
    'look at again',
    'looked at again',
    're-inspect',
    're-inspected',
  ],
  ['urgent', 'priority'],
  ['jobs', 'incidents', 'call-outs'],
  ['kids', 'children', 'child', 'youngsters'],
  ['complainants', 'victims'],
  ['dropped out', 'drop out', 'pulled out', 'withdrew', 'withdraw', 'withdrawn'],
  ['frontline', 'front line', 'response teams', 'response officers'],
  ['propose', 'proposed', 'proposal', 'suggest', 'suggested', 'recommend', 'recommended'],
  ['time limit', 'deadline', 'fixed period', 'set period'],
  ['counties', 'county', 'area', 'areas', 'region', 'covers', 'covering', 'covered'],
  ['killing', 'killed', 'kill', 'murder', 'murdered', 'homicide'],
  [
    'hire',
    'hired',
    'hiring',
    'recruit',
    'recruited',
    'recruiting',
    'recruitment',
    'employ',
    'employed',
    'take on',
    'taking on',
    'took on',
  ],
  [
    'take over',
    'taking over',
    'took over',
    'succeed',
    'successor',
    'replace',
    'replacing',
    'next',
    'incoming',
  ],
  ['figures', 'statistics', 'stats', 'data'],
  // Numbers going down, or up.
  [
    'cut',
    'reduce',
    'reduced',
    'reduction',
    'fall',
    'fallen',
    'drop',
    'dropped',
    'decrease',
    'decreased',
    'lower',
  ],
  ['increase', 'increased', 'rise', 'risen', 'grow', 'grown', 'higher'],
  [
    'keep an eye on',
    'keeps an eye on',
    'oversee',
    'oversees',
    'overseen',
    'oversight',
    'scrutinise',
    'scrutinises',
    'scrutinised',
    'scrutiny',
  ],
  ['stand in', 'standing in', 'stands in', 'temporary', 'acting', 'interim', 'caretaker'],
  // Leaving Engage, in the words people use.
  [
    'get out of',
    'come out of',
    'leave',
    'leaving',
    'exit',
    'exits',
    'returns to scan',
    'return to scan',
    'returned to scan',
    'removed from',
  ],
  // Whether someone agreed is answered by their agreeing or not.
  ['agree', 'agreed', 'agrees', 'disagree', 'disagreed', 'disagrees', 'dispute', 'disputed', 'disputes'],
  // A people's adjective is its country's name.
  ['scottish', 'scotland'],
  ['welsh', 'wales'],
  ['english', 'england'],
  ['irish', 'ireland'],
  ['british', 'britain'],
];
