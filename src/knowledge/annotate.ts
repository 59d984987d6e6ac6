import type { ForceMention, Gazetteer } from './gazetteer.js';
import type { Passage, SpeakerRole, Topic } from './schema.js';
import {
  COMPARED_WITH,
  ENGAGE_TERMS,
  FINDING_WORDS,
  FORCE_WORDS,
  INSPECTORATE_WORDS,
  OTHER_WORDS,
  SPEECH_VERBS,
  TITLE_WORDS,
} from './vocabulary.js';

/** A sentence before annotation: where it sits and what it says. */
export interface RawSentence {
  paragraph: number;
  sentence: number;
  text: string;
  /** The sentence is (in) a list item, continuing the line that introduced the list. */
  listItem?: boolean;
  /** The sub-heading above it ("What the inspectors found"). */
  section?: string | null;
}

interface Speaker {
  name: string;
  role: SpeakerRole;
  force: string | null;
  /** A person (he/she may refer back to them) rather than an organisation (it/the force). */
  person: boolean;
  /** How the article introduced them, name aside: "WMP Chief Constable", "police, fire and crime commissioner". */
  description: string;
  /** Known from a title (Mr, Ms) or from the pronoun the article used for them, so "he" skips a "she". */
  gender?: Gender;
}

type Gender = 'm' | 'f';

interface Person extends Speaker {
  surname: string;
  /** Lower-case rank or role phrase seen with the name, e.g. "chief constable". */
  title: string;
}

/** A sentence opening a quotation: double quotes, or single ones as some papers use ("'We accept…"). */
const OPEN_QUOTES = /^[“"‘]|^'(?=\p{Lu})/u;
const OPEN_Q = /[“"]/g;
const CLOSE_Q = /[”"]/g;
/** Subject-first attribution: `<who> (also) said: …`, `<who> said the …`. */
const LEAD_SPEAKER = new RegExp(
  String.raw`^(?<who>[^“"‘”]{2,160}?)\s+(?:has\s+|have\s+|had\s+)?(?:also\s+|later\s+|previously\s+)?(?:${SPEECH_VERBS})\b`,
  'u',
);
/** Trailing or mid-sentence attribution: `…,” she added.` / `…, the inspectorate said.` / `…, inspectors have said, …` */
const TAIL_SPEAKER = new RegExp(
  String.raw`(?:,|[,.!?]?[”"’])\s*(?<who>(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[^,“”"‘]{2,80}?))\s+(?:has\s+|have\s+)?(?:also\s+)?(?:${SPEECH_VERBS})(?:\s+(?:on|in|last|this)\s+\w+)?\s*(?:[.,;]|$|(?=\s+(?:when|as|after|before|while|during|at|from|outside|inside)\b))`,
  'u',
);
/** Verb-first attribution after a quote or clause: `…,” said HM Inspector Roy Wilsher.` / `…, says the report.` */
const INVERTED_SPEAKER =
  /(?:,|[,.!?][”"’])\s*(?:said|says|added|adds|explained|warned|continued|insisted|stated|commented|wrote)\s+(?<who>\p{Lu}[^,.;:“”"]{1,80}?|the\s+[^,.;:“”"]{2,60}?)\s*(?:[.,;]|$)/u;
/** `…, according to <who>.` */
const ACCORDING_TO = /\baccording to (?<who>[^,.“”"]{2,80})/u;
const PRONOUN_PERSON = /^(?:he|she|they)$/i;
const PRONOUN_ORG = /^(?:it|the force|the service|the constabulary)$/i;
/** A sentence whose subject refers back: "It is…", "The force…", "The country’s second-largest force…". */
const SUBJECT_ANAPHORA =
  /^(?:it|its|he|she|they|the (?:[\p{L}’'-]+ ){0,3}(?:force|constabulary|service))\b/iu;
/** "Neither force", "both forces", "the two forces": every force the article has named so far. */
const JOINT_REFERENCE = /\b(?:neither|both|either|each) (?:of the )?(?:two )?forces?\b|\bthe two forces\b/i;
/** A sentence about forces in general ("Forces in Engage receive support"), not the one in focus. */
const GENERIC_FORCES = /\bforces\b/i;
/** A sentence opening with a person's surname or name, possibly after a title: "Ms Rolfe said", "Fairbairn, who…". */
const SUBJECT_NAME =
  /^(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Chief Constable|Constable|Commissioner|Assistant Commissioner)\.?\s+)?((?:[A-Z][\p{L}’'-]+\s)?[A-Z][\p{L}’'-]+)\b/u;
/**
 * "A force in Engage should not…", "any force": about no force in particular, whatever pronouns follow.
 * "This is a force that has lost its way" describes the force in focus.
 */
const INDEFINITE_FORCE =
  /(?<!\b(?:is|was|remains|remained|be|been|being) )\b(?:a|any|every|each|no) (?:police )?force\b/i;
const SINGULAR_REFERENCE = /\b(?:one of the|the force\b|it|its|the constabulary|the service)\b/i;

/**
 * Annotates one article's sentences in reading order: the forces each is about (named, or carried from
 * context: "the force", "it", a continuing quote), who is speaking and for whom, and a topic. Reading
 * order matters because news copy names a force once and then says "the force" or "Ms Rolfe".
 *
 * @example annotateArticle('pa-…', sentences, gazetteer)[0].forces // ['wiltshire']
 */
export function annotateArticle(
  articleId: string,
  sentences: readonly RawSentence[],
  gazetteer: Gazetteer,
  /** Lines left out of the story that may still name people ("Also present: Chief Constable X"). */
  asides: readonly string[] = [],
  /** Who published it: an inspectorate report or a force's statement speaks in its own voice ("We found…"). */
  publisher = '',
  /** The headline: repeated as the first heading, it is no sub-heading. */
  title = '',
): Passage[] {
  const people: Person[] = [];
  const voice = publisherVoice(publisher, gazetteer);
  const named = sentences.map((s) =>
    unique(
      gazetteer
        .mentions(s.text)
        .filter((m) => !BIOGRAPHY.test(s.text.slice(0, m.start)))
        .map((m) => m.slug),
    ),
  );
  // A force's own statement is about that force from its first line ("We have been placed into Engage").
  const own = voice?.role === 'force' ? voice.force : null;
  let focus: string | null = own ?? named.find((n) => n.length > 0)?.[0] ?? null;
  for (const line of asides) rememberTitledPeople(line, focus, gazetteer, people);
  let lastSpeaker: Speaker | null = null;
  /** People in the order last spoken of, most recent first: who "he" or "she" may be. */
  const recent: Speaker[] = [];
  let quoteOpen = false;
  /** Forces named so far, for "neither force", "both forces". */
  const seen: string[] = own ? [own] : [];
  let prevParagraph = -1;
  /** The line introducing a list ("The report found:"), while its items follow. */
  let list: { speaker: Speaker | null; topic: Topic; text: string } | null = null;
  const passages: Passage[] = [];

  let section: string | null = null;

  sentences.forEach((s, position) => {
    const names = named[position] ?? [];
    const newParagraph = s.paragraph !== prevParagraph;
    prevParagraph = s.paragraph;
    // A sub-heading that names a force ("What has Nottinghamshire Police said?") moves the story to it.
    if ((s.section ?? null) !== section) {
      section = s.section ?? null;
      const headed = section ? unique(gazetteer.mentions(section).map((m) => m.slug)) : [];
      if (headed[0]) focus = headed[0];
      for (const n of headed) if (!seen.includes(n)) seen.push(n);
    }
    const startsQuote = OPEN_QUOTES.test(s.text);
    // A quote carried over from the previous paragraph ("continuing quote") or sentence.
    const continuing = quoteOpen && (startsQuote || !newParagraph);

    // Named in passing, they become who "he" or "she" may be next.
    for (const person of rememberTitledPeople(s.text, names[0] ?? focus, gazetteer, people))
      mentioned(recent, person);
    let speaker = findSpeaker(s.text, names, focus, gazetteer, people, lastSpeaker, recent);
    if (
      speaker &&
      voice &&
      /^(?:we|us|our (?:inspection|inspectors|team|report|review|officers))$/i.test(speaker.name)
    )
      speaker = voice;
    if (!speaker && (continuing || (startsQuote && isWhollyQuoted(s.text)))) speaker = lastSpeaker;
    // In the publisher's own report or statement, "we found", "our inspection" is the publisher speaking.
    if (!speaker && voice && !startsQuote && !quoteOpen && /\b(?:we|our|us)\b/i.test(s.text)) speaker = voice;
    // "Inspectors found:" then bullets: each item is what the line before the list said.
    const inList = s.listItem === true && list !== null;
    if (inList && !speaker) speaker = list?.speaker ?? null;

    // Before the article names any force, only a sentence that refers to one ("the force", "it") is
    // taken to be about the force it goes on to name; scene-setting is about no force.
    const anticipating = seen.length === 0 && names.length === 0;
    for (const n of names) if (!seen.includes(n)) seen.push(n);
    const forces =
      JOINT_REFERENCE.test(s.text) && seen.length > 1
        ? unique([...names, ...seen])
        : anticipating && !SINGULAR_REFERENCE.test(s.text) && speaker?.role !== 'force'
          ? []
          : attributeForces(s.text, names, speaker, focus);
    if (names.length > 0 && !SUBJECT_ANAPHORA.test(s.text) && !COMPARED_WITH.test(s.text))
      focus = names[0] ?? focus;
    else if (names.length === 0 && speaker?.force && speaker.role === 'force') focus = speaker.force;

    // A paragraph opens its own quotes: a continuing quote re-opens with a quote mark.
    quoteOpen = quoteBalance(s.text, newParagraph ? false : quoteOpen);
    if (speaker) {
      lastSpeaker = speaker;
      if (speaker.person) mentioned(recent, speaker);
    } else {
      // "Fairbairn, who took over in 2023, spent…" makes Fairbairn the "he" of the next sentence.
      const subject = SUBJECT_NAME.exec(s.text)?.[1];
      const known = subject ? people.find((x) => x.surname === subject || x.name === subject) : undefined;
      if (known) mentioned(recent, known);
    }
    const topic = topicOf(s.text, speaker, inList ? list?.topic : sectionTopic(s.section));
    const lead = inList ? list?.text : undefined;
    if (!s.listItem) list = /:\s*$/.test(s.text) ? { speaker, topic, text: s.text } : null;
    passages.push({
      id: `${articleId}#${s.paragraph}.${s.sentence}`,
      articleId,
      paragraph: s.paragraph,
      sentence: s.sentence,
      position,
      text: s.text,
      forces,
      named: names,
      speaker: speaker?.name ?? null,
      speakerTitle: speaker?.description || null,
      speakerRole: speaker?.role ?? null,
      topic,
      ...(lead ? { lead } : {}),
      // Question headings only: other sub-headings ("Skip advert", a byline) are too often not headings.
      ...(s.section && /\?$/.test(s.section) && !sameWords(s.section, title) ? { heading: s.section } : {}),
    });
  });
  return nameTitledSpeakers(passages, people);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function isWhollyQuoted(text: string): boolean {
  const t = text.trim();
  return /^[“"‘'][\s\S]*[”"’'][.!?]?$/.test(t) || /^[“"‘][^”"]*$/.test(t) || /^'\p{Lu}[^"]*$/u.test(t);
}

/** Single quotation marks that open or close a quote, not apostrophes ("force's", "don't"). */
const SINGLE_OPEN = /(?:^|[\s(—–-])[‘'](?=[\p{L}\d])/gu;
const SINGLE_CLOSE = /(?<=[\p{L}\d.,!?…])[’'](?=[\s)—–-]|$)/gu;

/** Tracks whether a quotation is still open after this sentence (curly or straight quotes). */
function quoteBalance(text: string, wasOpen: boolean): boolean {
  let opens = text.match(OPEN_Q)?.length ?? 0;
  let closes = text.match(CLOSE_Q)?.length ?? 0;
  if (opens === 0 && closes === 0) {
    // No double quotes: papers that quote with single ones.
    opens = text.match(SINGLE_OPEN)?.length ?? 0;
    closes = text.match(SINGLE_CLOSE)?.length ?? 0;
  }
  if (text.includes('"')) {
    // Straight quotes toggle.
    const straight = (text.match(/"/g) ?? []).length;
    return straight % 2 === 1 ? !wasOpen : wasOpen;
  }
  if (opens > closes) return true;
  if (closes > opens) return false;
  return wasOpen && opens === 0 ? wasOpen : false;
}

/**
 * The forces a sentence is about. Named forces first; a sentence naming none is about the force in focus
 * (or its speaker's force) unless it talks of forces in general; a sentence naming others whose subject
 * refers back ("It is among …, alongside the Met") is about the focus force too.
 */
function attributeForces(
  text: string,
  names: string[],
  speaker: Speaker | null,
  focus: string | null,
): string[] {
  const implied = speaker?.role === 'force' && speaker.force ? speaker.force : focus;
  if (names.length === 0) {
    if (!implied) return [];
    if (speaker?.role !== 'force' && INDEFINITE_FORCE.test(text)) return [];
    if (GENERIC_FORCES.test(text) && !SINGULAR_REFERENCE.test(text) && speaker?.role !== 'force') return [];
    return [implied];
  }
  if (implied && !names.includes(implied) && (SUBJECT_ANAPHORA.test(text) || COMPARED_WITH.test(text)))
    return [implied, ...names];
  return names;
}

function findSpeaker(
  text: string,
  names: string[],
  focus: string | null,
  gazetteer: Gazetteer,
  people: Person[],
  lastSpeaker: Speaker | null,
  recent: Speaker[],
): Speaker | null {
  const lead = LEAD_SPEAKER.exec(text);
  let who = lead?.groups?.who?.trim();
  // "X, who became commissioner in 2023, said": the relative clause says what X is.
  const aside = who ? (/,\s*who\s+([^,]+)/.exec(who)?.[1] ?? '') : '';
  if (who) who = cleanLeadSpeaker(who);
  if (!who) {
    const tail = TAIL_SPEAKER.exec(text);
    who = tail?.groups?.who?.trim();
    if (who && who.split(/\s+/).length > 9) who = undefined;
  }
  if (!who) who = INVERTED_SPEAKER.exec(text)?.groups?.who?.trim();
  if (!who) who = ACCORDING_TO.exec(text)?.groups?.who?.trim();
  if (!who) return null;
  return resolveSpeaker(who, names, focus, gazetteer, people, lastSpeaker, recent, aside);
}

/** A person's name, perhaps after a title: "Sgt Mark Penhaligon", "Dr Jane Ode", "Kier Pritchard". */
const NAMED_PERSON =
  /^(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Sgt|Supt|Cllr|Det|PC|DC|DS|DI|DCI|Insp)\.?\s+)?\p{Lu}[\p{L}’'-]+(?:\s+\p{Lu}[\p{L}’'-]+){1,3}$/u;

/** A force in someone's past: "X, who joined the constabulary from Thames Valley Police, said…" is not about it. */
const BIOGRAPHY =
  /,\s*(?:who|having|formerly|previously)\b[^,;]*\b(?:joined|moved|came|transferred|served|worked|was)\b[^,;]*\b(?:from|at|with|in|of)\s+(?:the\s+)?$/i;

/** When it was said, before who said it: "In October last year HM Inspector X wrote…", "Last week, the force said…". */
const TIME_LEAD =
  /^(?:(?:in|on|by|during|since|from)\s+)?(?:(?:early|late|mid-?)\s*)?(?:january|february|march|april|may|june|july|august|september|october|november|december|spring|summer|autumn|winter|last (?:week|month|year)|this (?:week|month|year)|earlier this (?:week|month|year)|\d{4})(?:\s+(?:last|this|next)\s+year|\s+\d{4})?,?\s+(?=\p{Lu})/iu;

/** A phrase that sets the scene before the speaker: "Responding to the letter,", "In a statement,", "Asked why,". */
const LEADING_PHRASE = /^(?:\p{L}+ing|in|on|at|after|asked|writing|speaking|responding|appearing)\b/iu;

/**
 * A person named with their rank anywhere in a sentence ("In a letter to Chief Constable Alun Pritchard"),
 * so that "Chief Constable Pritchard said" later is known to be them.
 */
const TITLED_PERSON =
  /\b(HM (?:Chief )?Inspector of Constabulary|(?:Deputy |Assistant |Temporary |Acting )?Chief Constable|(?:Deputy |Assistant )?Commissioner|(?:Police(?:,)? (?:Fire )?and Crime )?Commissioner|(?:Chief )?Superintendent),?\s+(\p{Lu}[\p{L}’'-]+(?:\s+\p{Lu}[\p{L}’'-]+){1,2})\b/gu;

/** A lower-case word that reads as a clause's main verb: "reviewed", "follows", "took". */
const ACTIVE_VERB =
  /^(?:\p{Ll}{3,}ed|follows|comes|came|took|takes|made|makes|saw|sees|gave|gives|spent|spoke)$/u;
const CONJUNCTION = '(?:after|before|because|when|since|while|although|though|once|until|as|so)';

/**
 * Narrows the words before "said" to the speaker: drops relative clauses ("The force, which polices …"),
 * subordinate clauses ("… after inspectors found" → "inspectors") and leading phrases ("Appearing before
 * the committee, a senior officer"), but keeps an appositive name ("The chief constable of X, Kier
 * Pritchard"). Gives up (undefined) on anything too long to be a speaker.
 */
function cleanLeadSpeaker(raw: string): string | undefined {
  let who = raw;
  // "Inspectors reviewed 130 files and found…": the subject of both verbs, before the first.
  // ("…has been rated outstanding but told…" is a passive: nobody is named.)
  if (/\s(?:and|but)$/.test(who)) {
    const words = who.split(/\s+/);
    const verb = words.findIndex((w, i) => i > 0 && ACTIVE_VERB.test(w));
    if (verb <= 0 || /^(?:is|was|are|were|has|have|had|been|be)$/i.test(words[verb - 1] ?? ''))
      return undefined;
    return cleanLeadSpeaker(
      words
        .slice(0, verb)
        .join(' ')
        .replace(/\s+(?:also|later|then|previously)$/i, ''),
    );
  }
  const clause =
    /,?\s(?:informing|telling|that|which|who|whose|published|released|issued|sent|seen|obtained)\b/.exec(who);
  if (clause && /^,?\swhich$/.test(clause[0])) {
    // "…a new records system, which inspectors said…": the speaker is the relative clause's subject.
    // ("The force, which polices the county, said…" closes its clause with a comma: the force speaks.)
    const inner = who.slice(clause.index + clause[0].length).trim();
    if (inner && !inner.endsWith(',')) return cleanLeadSpeaker(inner);
    // "The decision follows an inspection of our standards, which found…": what found is the noun
    // phrase the clause hangs on, the object of the sentence's verb, when it is an inspection or report.
    const words = who.slice(0, clause.index).split(/\s+/);
    const verb = words.findIndex((w, i) => i > 0 && ACTIVE_VERB.test(w));
    const object = verb > 0 ? words.slice(verb + 1).join(' ') : '';
    if (object && INSPECTORATE_WORDS.test(object)) return cleanLeadSpeaker(object);
  }
  if (clause && clause.index > 0) who = who.slice(0, clause.index);
  who = who.split(new RegExp(`\\s${CONJUNCTION}\\s`, 'i')).pop() ?? who;
  who = who.replace(new RegExp(`^${CONJUNCTION}\\s+`, 'i'), '').replace(/[,\s]+$/, '');
  if (who.includes(',')) {
    const parts = who.split(',');
    const last = parts.at(-1)?.trim() ?? who;
    // "Assistant Chief Constable Jane Orbell, of Norfolk Constabulary" keeps the name before the modifier.
    const first = parts[0]?.trim() ?? '';
    if (/^(?:of|from|at|for|in)\b/.test(last))
      who = parts.slice(0, -1).join(',').split(',').at(-1)?.trim() ?? who;
    // "Responding to the letter, Chief Constable Pritchard": a leading phrase, then the speaker.
    else if (LEADING_PHRASE.test(first)) who = last;
    // "Sgt Mark Penhaligon, chair of the Police Federation": the name, and what he is.
    else if (parts.length === 2 && NAMED_PERSON.test(first) && /^(?:\p{Ll}|the\b|a\b)/u.test(last))
      who = `${first}, ${last}`;
    else if (!/^[A-Z][\p{L}’'-]+(?:\s+[A-Z][\p{L}’'-]+)+$/u.test(last)) who = last;
  }
  // "It was found to…", "Its custody suites were found…": a passive, not a speaker.
  if (/\b(?:was|were|is|are|been|be|being)$/i.test(who)) return undefined;
  return who && who.split(/\s+/).length <= 12 ? who : undefined;
}

function resolveSpeaker(
  who: string,
  names: string[],
  focus: string | null,
  gazetteer: Gazetteer,
  people: Person[],
  lastSpeaker: Speaker | null,
  recent: Speaker[],
  aside = '',
): Speaker | null {
  // "Mr. Pendleton" is "Mr Pendleton": a title's full stop is not the end of a name.
  const bare = who
    .replace(/^(?:but|and|so|then|however),?\s+/i, '')
    .replace(/^(?:for|to|with|like|unlike)\s+(?=\p{Lu})/iu, '')
    .replace(TIME_LEAD, '')
    .replace(/\b(Mr|Mrs|Ms|Dr|Prof|Sgt|Supt|Insp|Det|Cllr|Rev|Capt|Col)\./g, '$1');
  // "Whitcombe says": a surname alone is the person introduced earlier.
  if (/^\p{Lu}[\p{L}’'-]+$/u.test(bare)) {
    const known = people.find((p) => p.surname === bare);
    if (known) return known;
  }
  if (PRONOUN_PERSON.test(bare)) return byPronoun(bare, recent) ?? (lastSpeaker?.person ? null : lastSpeaker);
  if (PRONOUN_ORG.test(bare)) {
    // "It said…" continues the last organisation to speak; "the force said…" is always the force.
    if (/^it$/i.test(bare) && lastSpeaker && !lastSpeaker.person) return lastSpeaker;
    const force = focus ? gazetteer.bySlug(focus) : undefined;
    return force
      ? { name: force.name, role: 'force', force: force.slug, person: false, description: '' }
      : null;
  }
  const mentioned = gazetteer.mentions(bare).map((m) => m.slug);
  // "a letter seen by the Medway Daily", "the report" are documents, whoever else they name.
  const document =
    /^(?:a|an|the)\s+(?:\w+\s+)?(?:letter|report|statement|review|document|briefing|survey|inspection)\b/i.test(
      bare,
    );
  const personName = document ? null : extractPersonName(bare, gazetteer);
  if (personName) {
    const surname = personName.split(/\s+/).at(-1) ?? personName;
    const known = people.find((p) => p.name === personName || p.surname === surname);
    if (known) {
      if (!known.gender) Object.assign(known, genderOfTitle(bare));
      return known;
    }
    if (personName.includes(' ')) {
      const role =
        roleOf(bare) === 'other' && !OTHER_WORDS.test(bare) && aside ? roleOf(aside) : roleOf(bare);
      const person: Person = {
        name: personName,
        surname,
        title: titleOf(bare),
        role,
        force: role === 'force' || role === 'other' ? (mentioned[0] ?? focus) : null,
        person: true,
        description: describe(bare.replace(personName, ' ')),
        ...genderOfTitle(bare),
      };
      people.push(person);
      return person;
    }
  }
  const role = roleOf(bare);
  if (role === 'other' && !OTHER_WORDS.test(bare) && mentioned.length === 0 && !/^[A-Z]/.test(bare))
    return null;
  const force = role === 'force' ? (mentioned[0] ?? names[0] ?? focus) : null;
  const display =
    role === 'force' && /^(?:the )?force$/i.test(bare) && force
      ? (gazetteer.bySlug(force)?.name ?? bare)
      : bare;
  return {
    name: display,
    role,
    force,
    person: personName !== null || /\b(?:chief|officer|commissioner)\b/i.test(bare),
    description: '',
  };
}

/**
 * Adds the people a sentence names with their rank (see `TITLED_PERSON`) to those the article knows, and
 * returns everyone it names so.
 */
function rememberTitledPeople(
  text: string,
  focus: string | null,
  gazetteer: Gazetteer,
  people: Person[],
): Person[] {
  let mentions: ForceMention[] | null = null;
  const named: Person[] = [];
  for (const m of text.matchAll(TITLED_PERSON)) {
    const [title = '', name = ''] = [m[1], m[2]];
    if (gazetteer.mentions(name).length > 0) continue;
    const surname = name.split(/\s+/).at(-1) ?? name;
    const known = people.find((p) => p.name === name || p.surname === surname);
    if (known) {
      named.push(known);
      continue;
    }
    // Their force is the one named right beside them ("Kent Police Chief Constable X", "X, of Kent
    // Police"), else the one the story is about: not "who joined from Thames Valley Police".
    const start = m.index;
    const end = start + m[0].length;
    mentions ??= gazetteer.mentions(text);
    const beside = mentions.find(
      (f) =>
        (f.end <= start && start - f.end <= 3) ||
        (f.start >= end && /^,?\s+(?:of|at)\s+(?:the\s+)?$/.test(text.slice(end, f.start))),
    );
    const role = roleOf(title);
    const person: Person = {
      name,
      surname,
      title: titleOf(title),
      role,
      force: role === 'inspectorate' ? null : (beside?.slug ?? focus),
      person: true,
      description: title,
    };
    people.push(person);
    named.push(person);
  }
  return named;
}

/**
 * The voice of an article published by the inspectorate or by a force, which reports in the first person:
 * HMICFRS's "We found…", a force's "We remain under routine monitoring". Null for news and for others.
 */
function publisherVoice(publisher: string, gazetteer: Gazetteer): Speaker | null {
  if (!publisher) return null;
  if (/\b(?:inspectorate of constabulary|hmic(?:frs)?)\b/i.test(publisher))
    return { name: publisher, role: 'inspectorate', force: null, person: false, description: '' };
  // A force's own site: the publisher is the force's name, give or take "press office" ("Cumbria
  // Constabulary"), not a paper, panel or commissioner of the same place.
  const force = gazetteer.mentions(publisher)[0];
  const rest = force ? `${publisher.slice(0, force.start)}${publisher.slice(force.end)}` : '';
  if (force && /^[\s,–-]*(?:(?:press|media|news) (?:office|team|release))?[\s.]*$/i.test(rest))
    return { name: publisher, role: 'force', force: force.slug, person: false, description: '' };
  return null;
}

function sameWords(a: string, b: string): boolean {
  const words = (t: string) =>
    t
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return words(a) === words(b);
}

/** Moves a person to the front of the recently mentioned. */
function mentioned(recent: Speaker[], person: Speaker): void {
  const at = recent.indexOf(person);
  if (at >= 0) recent.splice(at, 1);
  recent.unshift(person);
}

/**
 * Who "he", "she" or "they" is: the most recently mentioned person the pronoun fits. A person first
 * referred to by a pronoun is remembered with it, so a later "she" is not taken for him.
 */
function byPronoun(pronoun: string, recent: Speaker[]): Speaker | null {
  const p = pronoun.toLowerCase();
  const gender: Gender | null = p === 'he' ? 'm' : p === 'she' ? 'f' : null;
  const person = gender ? recent.find((x) => !x.gender || x.gender === gender) : recent[0];
  if (!person) return null;
  if (gender && !person.gender) person.gender = gender;
  return person;
}

function genderOfTitle(who: string): { gender?: Gender } {
  if (/\b(?:Mr|Sir|Lord)\b/.test(who)) return { gender: 'm' };
  if (/\b(?:Mrs|Ms|Miss|Dame|Lady|Baroness)\b/.test(who)) return { gender: 'f' };
  return {};
}

/** "Northamptonshire's police, fire and crime commissioner, " → "Northamptonshire's police fire and crime commissioner". */
function describe(text: string): string {
  return text
    .replace(/[,()“”"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function roleOf(who: string): SpeakerRole {
  if (INSPECTORATE_WORDS.test(who)) return 'inspectorate';
  if (OTHER_WORDS.test(who)) return 'other';
  if (FORCE_WORDS.test(who) || /\bpolice\b/i.test(who)) return 'force';
  return 'other';
}

function titleOf(who: string): string {
  if (/\bpolice chief\b/i.test(who)) return 'chief constable';
  const m =
    /\b((?:deputy |assistant |temporary |acting )?(?:chief constable|commissioner|chief inspector|inspector of constabulary|superintendent|police and crime commissioner))\b/i.exec(
      who,
    );
  return m?.[1]?.toLowerCase() ?? '';
}

/** "WMP Chief Constable Craig Guildford" → "Craig Guildford"; "Ms Rolfe" → "Rolfe"; "the inspectorate" → null. */
function extractPersonName(who: string, gazetteer: Gazetteer): string | null {
  let text = who;
  for (const m of gazetteer.mentions(who).reverse())
    text = `${text.slice(0, m.start)} | ${text.slice(m.end)}`;
  const runs = text.match(/(?:[A-Z][\p{L}’'-]*\s+)*[A-Z][\p{L}’'-]*/gu) ?? [];
  let best: string | null = null;
  for (const run of runs) {
    const words = run
      .split(/\s+/)
      .filter((w) => w && !TITLE_WORDS.has(w.toLowerCase()) && !/^[A-Z]{2,}$/.test(w));
    if (words.length === 0) continue;
    const candidate = words.join(' ');
    if (
      words.length >= 2 ||
      /^(?:mr|mrs|ms|miss|dr|prof|sgt|supt|cllr|constable|chief|deputy|assistant|superintendent|commissioner|sir|dame)\b/i.test(
        run,
      )
    ) {
      if (!best || candidate.split(' ').length > best.split(' ').length) best = candidate;
    }
  }
  return best;
}

/**
 * What a sentence is about. `context` is the topic of what introduced it (a list's lead line, the
 * sub-heading above), used when the sentence itself does not say.
 */
function topicOf(text: string, speaker: Speaker | null, context?: Topic | null): Topic {
  if (speaker?.role === 'force') return 'response';
  // "Investigating crime: Requires improvement": a PEEL grade is a finding.
  if (PEEL_GRADE.test(text)) return 'finding';
  if (ENGAGE_TERMS.test(text) || /\b(?:routine monitoring|scan stage)\b/i.test(text)) return 'status';
  if (speaker?.role === 'inspectorate' || FINDING_WORDS.test(text)) return 'finding';
  if (!speaker && (context === 'finding' || context === 'response')) return context;
  return 'context';
}

const PEEL_GRADE = /:\s*(?:outstanding|good|adequate|requires improvement|inadequate)\.?$/i;

/** "What the inspectors found", "How the force responded": the topic a sub-heading announces. */
function sectionTopic(section: string | null | undefined): Topic | null {
  if (!section) return null;
  if (
    /\b(?:respon\w*|react\w*|reply|replied|what (?:the )?(?:force|police|chief)\w* (?:said|say|says))\b/i.test(
      section,
    )
  )
    return 'response';
  if (
    INSPECTORATE_WORDS.test(section) ||
    FINDING_WORDS.test(section) ||
    /\b(?:went wrong|areas? for improvement)\b/i.test(section)
  )
    return 'finding';
  return null;
}

/** "The chief constable of West Midlands Police" → the person of that rank and force named elsewhere. */
function nameTitledSpeakers(passages: Passage[], people: Person[]): Passage[] {
  if (people.length === 0) return passages;
  return passages.map((p) => {
    if (!p.speaker || people.some((x) => x.name === p.speaker)) return p;
    const title = titleOf(p.speaker);
    if (!title) return p;
    const match = people.find((x) => x.title === title && (x.force === null || p.forces.includes(x.force)));
    return match
      ? { ...p, speaker: match.name, speakerTitle: match.description || null, speakerRole: match.role }
      : p;
  });
}
