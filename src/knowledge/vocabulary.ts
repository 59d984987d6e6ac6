/**
 * The domain's words, in one place: how news copy talks about the monitoring stages, who speaks for the
 * inspectorate and who for a force. Annotation, status and intent detection all read these patterns, so
 * they agree with one another.
 */

/** Any mention of the enhanced stage: "special measures", "Engage", "enhanced (level of) monitoring". */
export const ENGAGE_TERMS = /\b(?:special measures|engage|enhanced (?:level of )?monitoring)\b/i;

/** The name of the enhanced stage in copy, optionally quoted: "special measures", "Engage", "enhanced monitoring". */
const TERM = String.raw`[“"‘']?(?:special measures|engage|enhanced (?:level of )?monitoring)\b`;
/** What may stand between a preposition and the stage's name: "the", "its", "HMIC’s", "the watchdog’s “engage”". */
const DET = String.raw`(?:(?:the|its|our|their|this|that|a|an|[\p{L}-]+[’']s)\s+)?(?:(?:so-called|formal|official|police|inspection|inspectorate[’']s|watchdog[’']s|closest)\s+)?`;
/** The routine stage's name: "routine monitoring", "Scan". */
const ROUTINE = String.raw`[“"‘']?(?:(?:routine|usual|normal|standard)\s+(?:level of\s+)?monitoring|scan\b)`;

/**
 * A force being in, entering or staying in Engage: "put into special measures", "in Engage", "under HMIC’s
 * “engage” monitoring process", "joined Engage", "special measures were imposed". A bare mention ("the
 * public hear ‘special measures’") is not one.
 */
export const ENGAGE_STATE = new RegExp(
  [
    String.raw`\b(?:in|into|under|to)\s+${DET}${TERM}`,
    String.raw`\b(?:entered|enters|entering|enter|joined|joins|join|joining|re-entered|re-entering)\s+${DET}${TERM}`,
    String.raw`\b(?:placed|put)\s+on\s+${TERM}`,
    String.raw`${TERM}(?:\s+status)?\s+(?:was|were|has been|have been|had been|is being)?\s*(?:imposed|applied)\b`,
  ].join('|'),
  'iu',
);

/** A force leaving Engage: "taken out of special measures", "moved back into routine monitoring". */
export const EXIT_TERMS = new RegExp(
  [
    String.raw`\b(?:taken|removed|moved|come|came|comes|coming|brought|released|lifted|gone|went|stepped|stood|graduated)\s+(?:back\s+|down\s+)?(?:out\s+of|from|off)\s+${DET}(?:${TERM}|(?:engage |monitoring )?process)`,
    String.raw`\b(?:is|are|was|were|be|been|now|finally|officially)\s+(?:now\s+|finally\s+|officially\s+)?out\s+of\s+${DET}${TERM}`,
    String.raw`\b(?:lifted|ended|removed|scrapped|dropped|withdrawn|withdrew|lifts|ends|removes)\s+${DET}${TERM}`,
    String.raw`\b(?:no longer|not|never been|not been)\s+(?:in|under|subject to|part of)\s+${DET}${TERM}`,
    String.raw`\bno longer\s+(?:needs?|requires?|needed|required)\b[^.;]{0,40}?${TERM}`,
    String.raw`\b(?:exit(?:s|ed|ing)?|leaves?|left|leaving)\s+${DET}(?:${TERM}|(?:engage |monitoring )?process\b)`,
    String.raw`\b(?:back|returned|returns|return|returning|moved|moves|move|moving|downgraded|stepped down)\s+(?:back\s+)?(?:in)?to\s+${DET}${ROUTINE}`,
    String.raw`\bspecial measures\s+(?:status\s+)?(?:has|have|had)?\s*(?:been\s+)?(?:lifted|removed|ended)`,
    String.raw`\bfrom\s+${DET}${TERM}\s+(?:back\s+)?(?:in)?to\s+${DET}${ROUTINE}`,
    String.raw`\b(?:removed|taken|dropped|struck)\s+(?:off|from)\b[^.;]{0,40}?${TERM}`,
  ].join('|'),
  'iu',
);

/** A force said to be in the routine stage: "remains in the routine Scan stage", "under routine monitoring". */
export const SCAN_TERMS =
  /\b(?:in|into|under|at)\s+(?:the\s+)?(?:routine\s+)?[“"‘']?Scan[”"’']?(?:\s+(?:stage|phase|level))?\b|\bknown as [“"‘']?Scan\b|\b(?:remains?|remained|is|was|stays?|stayed|back)\s+(?:in|under|to)\s+(?:the\s+)?(?:[\p{L}’']+\s+){0,2}?(?:routine|normal|standard|usual)\s+(?:level of\s+)?monitoring\b/u;

/**
 * A past stay that has ended, told without saying so: "spent two years in Engage", "had been in special
 * measures since 2023". Neither is news of the present stage ("had been placed in Engage in 2023" is an
 * entry, dated).
 */
export const PAST_STAY = new RegExp(
  String.raw`\b(?:spent|had spent|had been|had remained)\b(?![^.;]{0,30}?\b(?:placed|put|moved|escalated|taken|brought|returned|removed)\b)[^.;]{0,40}?\b(?:in|under)\s+${DET}${TERM}`,
  'iu',
);

/** Talk of Engage that is not a fact about the present: "could be put into special measures". */
export const SPECULATIVE_TERMS =
  /\b(?:if|whether|unless|could|might|may|would|should|considering|consider(?:s|ed)?|possible|possibility|potential(?:ly)?|risks?|risking|threat(?:ened|s)?|faces?|facing|avoid(?:s|ed)?|escape[sd]?|warn(?:ed|s|ing)?|proposed|expected to|expects? to|claims?|claimed|alleg\w*|rumou?r\w*|sources? (?:suggest|say|said)\w*|suggest\w*|about to|likely|unlikely|thinks?|believes?|speculat\w*|rumou?r\w*|nobody|no one)\b[^.;]{0,60}\b(?:special measures|engage|enhanced monitoring)\b/i;

/** Denials: "Neither force has been placed in special measures", "was not put into Engage". */
export const NEGATED_ENGAGE = new RegExp(
  [
    String.raw`\b(?:not|never|neither|nor|no)\b(?:\s+(?:yet|been|be|being|was|were|has|have|had|force|forces|of them|of the forces))*\s+(?:(?:put|placed|moved|escalated|entered)\s+(?:(?:us|it|them|the force|\p{Lu}[\p{L}-]+(?: \p{Lu}[\p{L}-]+)?(?: police| constabulary)?)\s+)?(?:in|into|under)\s+(?:the\s+)?|in\s+(?:the\s+)?|under\s+(?:the\s+)?)?[“"‘']?(?:special measures|engage|enhanced monitoring)\b`,
    // "does not need to be placed into special measures", "will not be put into Engage": a few words
    // between the negation and the placing, none of them starting a new clause ("did not improve and was").
    String.raw`\b(?:not|never|no need)\b(?:\s+(?!and\b|but\b|so\b|then\b|after\b|because\b)[\p{L}’']+){0,5}?\s+(?:put|placed|placing|moved|moving|escalated|entered)\s+(?:(?:us|it|them|the force)\s+)?(?:in|into|under)\s+${DET}${TERM}`,
    // "leaves the North East without a force in Engage": nobody there is.
    String.raw`\bwithout\s+(?:a|any)\s+(?:single\s+)?(?:force|forces)\s+(?:in|under)\s+${DET}${TERM}`,
    String.raw`\b(?:stopped short of|decided against|declined to|chose not to|refrained from)\s+(?:placing|putting|moving|escalating|place|put|move|escalate)\b[^.;]{0,60}\b(?:special measures|engage|enhanced monitoring)\b`,
  ].join('|'),
  'iu',
);

/** Verbs that introduce speech or a finding: "X said", "X added", "the report found". */
export const SPEECH_VERBS =
  'said|says|added|adds|told|tells|stated|states|explained|warned|warns|insisted|insists|acknowledged|acknowledges|accepted|accepts|admitted|admits|argued|argues|claimed|claims|wrote|commented|continued|noted|stressed|conceded|concluded|concludes|found|finds|revealed|reveals|highlighted|highlights|responded|replied|pledged|promised|vowed|confirmed|announced|described|called';

/** Who speaks for the inspectorate (checked first: "inspector of constabulary" is not a force). */
export const INSPECTORATE_WORDS =
  /\b(?:inspector(?:ate|s)?|HMIC(?:FRS)?|watchdog|report|letter|inspection|review|chief inspector)\b/i;

/** Speakers who are neither force nor inspectorate, checked before force words ("police and crime commissioner"). */
export const OTHER_WORDS =
  /\b(?:police and crime commissioner|PCC|police,? fire and crime commissioner|home secretary|home office|minister|mayor|federation|MP|councillor|union|campaigners?|charity|victims'? commissioner|assembly|committee)\b/i;

/** Who speaks for a force: its officers, its chief, the force itself. */
export const FORCE_WORDS =
  /\b(?:chief constable|deputy chief constable|assistant chief constable|constable|commissioner|police chief|officers?|spokes(?:man|woman|person)|superintendent|chief superintendent|detective|sergeant|force|constabulary|police service)\b/i;

/** What inspectors found: the vocabulary of inspection findings. */
export const FINDING_WORDS =
  /\b(?:found|finds?|findings?|inadequate|requires improvement|requiring improvement|causes? (?:of|for) concern|concerns?|failings?|failures?|failing|poor|graded?|revealed|reveals|not (?:always |properly |effectively |adequately )?(?:carrying|responding|protecting|managing|supervising|recording|investigating)|at risk|unacceptable|inspection)\b/i;

/** Honorifics and ranks that precede a person's name and are not part of it. */
export const TITLE_WORDS = new Set(
  [
    'the',
    'a',
    'an',
    'his',
    'her',
    'their',
    'majesty',
    'majesty’s',
    "majesty's",
    'hm',
    'chief',
    'constable',
    'deputy',
    'assistant',
    'commissioner',
    'superintendent',
    'detective',
    'inspector',
    'sergeant',
    'dame',
    'sir',
    'dr',
    'mr',
    'mrs',
    'ms',
    'miss',
    'prof',
    'professor',
    'lord',
    'lady',
    'baroness',
    'cllr',
    'sgt',
    'supt',
    'insp',
    'det',
    'pc',
    'dc',
    'ds',
    'di',
    'dci',
    'councillor',
    'pcc',
    'home',
    'secretary',
    'acting',
    'temporary',
    'interim',
    'police',
    'and',
    'crime',
    'of',
    'officer',
    'mayor',
    'minister',
    'senior',
    'director',
    'head',
    'lead',
    'spokesman',
    'spokeswoman',
    'spokesperson',
    'constabulary',
    'inspectorate',
    'fire',
    'rescue',
    'services',
    'service',
    'he',
    'she',
    'it',
    'they',
    'we',
    'also',
    'later',
    'then',
    'but',
    'however',
  ].map((w) => w.toLowerCase()),
);

/**
 * "Unlike neighbouring Leicestershire and Nottinghamshire, which are both in Engage, the force will remain
 * under routine monitoring": the forces named in the comparison are not the sentence's subject.
 */
export const COMPARED_WITH =
  /^\s*(?:unlike|like|as with|as for|compared (?:with|to)|in contrast to)\b[^.]*?,\s*(?:the (?:[\p{L}’'-]+ ){0,3}(?:force|constabulary|service)|it)\b/iu;
