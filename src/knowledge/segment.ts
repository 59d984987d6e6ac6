// Rule-based English sentence segmenter tuned for news copy (British quoting style). A single
// left-to-right scan decides, at every candidate terminator, whether it ends a sentence; all
// look-behinds are capped, so the cost is linear in the paragraph length. Behaviour is pinned by the
// Golden Rules of pragmatic_segmenter and by real article paragraphs (tests/knowledge/segment.test.ts).

const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»']);
const OPENERS = new Set(['"', "'", '“', '‘', '(', '[', '{', '«', '¿', '¡']);
const BULLETS = new Set(['•', '⁃', '‣', '◦', '▪', '●', '■']);
const TERMINAL = /[.?!…]/;

/** Builds a lookup set from a space-separated word list (keeps the lists compact and readable). */
function words(list: string): Set<string> {
  return new Set(list.trim().split(/\s+/));
}

/** Titles that precede a name whatever their case ("Mr. Smith", "dr. Jones"). */
const TITLES_ANY_CASE = words('mr mrs ms mx dr messrs mme mlle');
/** Titles that precede a name only when capitalised ("St. Michael's", but "5th st. near"). */
const TITLES_CAPITALISED = words(`
  st mt ft prof insp supt sgt det con cllr coun gen lt col rev revd capt cmdr cdr maj brig adm sen rep gov
  hon rt fr pres ch asst dep ald
`);
/** Abbreviations that introduce a number ("p. 55", "No. 10", "N°. 1026", "Jan. 5"). */
const NUMBER_PREFIXES = words(`
  no nos nr n° nº p pp para paras fig figs vol vols ch chap art sec sect op ref tel pt approx ca c jan feb
  mar apr jun jul aug sep sept oct nov dec est ed rec reg
`);
/** Abbreviations that never end a sentence when more text follows. */
const NEVER_TERMINAL = words('e.g i.e viz cf vs v incl esp approx eg ie');
/** Words that typically open a sentence; after "U.S."/"E.U." they mark a boundary ("E.U. How about you?"). */
const SENTENCE_STARTERS = words(`
  a after all also although an and as at because being but by despite did do during for from he her his
  how however i if in it its many meanwhile more most my now on one our she since so some that the their
  then there these they this those to we what when where whether which while who why with yet you your
`);
/** Prepositions that open a fronted time phrase ("At 5 a.m. Mr. Smith went..."). */
const TIME_PREPOSITIONS = words(`
  at by from until till before after around about since between on shortly just
`);

/** A capitalised speaker and a speech verb closing the sentence: "“Why now?” Ms Rolfe asked." stays whole. */
const ATTRIBUTION =
  /^(?:\p{Lu}[\p{L}’'.-]*\s+){1,4}(?:said|says|asked|asks|added|adds|replied|insisted|explained|wrote|told\s+\p{L}+)\s*[.,;:]/u;

const MAX_LOOKBEHIND = 48;

function isSpace(ch: string): boolean {
  return ch !== '' && /\s/.test(ch);
}
function isUpper(ch: string): boolean {
  return ch !== '' && /\p{Lu}/u.test(ch);
}
function isLower(ch: string): boolean {
  return ch !== '' && /\p{Ll}/u.test(ch);
}
function isLetter(ch: string): boolean {
  return ch !== '' && /\p{L}/u.test(ch);
}
function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9' && ch.length === 1;
}
function isTerminatorChar(ch: string): boolean {
  return ch === '.' || ch === '?' || ch === '!' || ch === '…';
}

interface Scan {
  text: string;
  n: number;
  /** Periods belonging to list markers ("1.", "2.)", "a."), which never end a sentence. */
  markerPeriods: Set<number>;
  /** Cached extent of the current whitespace-delimited word and whether it is a URL or e-mail address. */
  wordStart: number;
  wordEnd: number;
  wordIsLink: boolean;
}

/** Index of the first character at or after `i` that is not a closing quote or bracket. */
function skipClosers(text: string, i: number): number {
  let j = i;
  while (j < text.length && CLOSERS.has(text.charAt(j))) j++;
  return j;
}

/** Index of the next word's first character after whitespace at `i`, past opening quotes and brackets. */
function nextWordStart(text: string, i: number): number {
  let j = i;
  while (j < text.length && isSpace(text.charAt(j))) j++;
  while (j < text.length && OPENERS.has(text.charAt(j))) j++;
  return j;
}

/** The letters of the word starting at `i`, capped in length. */
function lettersAt(text: string, i: number): string {
  let j = i;
  while (j < text.length && j - i < MAX_LOOKBEHIND && isLetter(text.charAt(j))) j++;
  return text.slice(i, j);
}

/** The token ending just before `end` (back to whitespace or an opening bracket/quote), capped in length. */
function tokenBefore(text: string, end: number, lowerBound: number): { token: string; start: number } {
  let j = end;
  const floor = Math.max(lowerBound, end - MAX_LOOKBEHIND);
  while (j > floor) {
    const ch = text.charAt(j - 1);
    if (isSpace(ch) || OPENERS.has(ch)) break;
    j--;
  }
  return { token: text.slice(j, end), start: j };
}

/** The whitespace-delimited word before position `start` within the current sentence ('' if none). */
function wordBefore(text: string, start: number, lowerBound: number): string {
  let j = start;
  while (j > lowerBound && isSpace(text.charAt(j - 1))) j--;
  if (j === start && j > lowerBound) return '';
  const end = j;
  const floor = Math.max(lowerBound, end - MAX_LOOKBEHIND);
  while (j > floor && !isSpace(text.charAt(j - 1))) j--;
  let word = text.slice(j, end);
  while (word !== '' && OPENERS.has(word.charAt(0))) word = word.slice(1);
  return word;
}

/** Caches the extent of the word covering `p`; the scan only moves forward, so each word is measured once. */
function locateWord(s: Scan, p: number): void {
  if (p >= s.wordStart && p < s.wordEnd) return;
  let a = p;
  while (a > 0 && !isSpace(s.text.charAt(a - 1))) a--;
  let b = p;
  while (b < s.n && !isSpace(s.text.charAt(b))) b++;
  s.wordStart = a;
  s.wordEnd = b;
  const word = s.text.slice(a, b);
  s.wordIsLink = word.includes('://') || /^[("“'‘]?www\./i.test(word) || /@[^@]*\.\w/.test(word);
}

/** True when the period at `p` sits inside a URL or e-mail address, i.e. more address text follows it. */
function insideLink(s: Scan, p: number): boolean {
  locateWord(s, p);
  if (!s.wordIsLink) return false;
  for (let k = p + 1; k < s.wordEnd; k++) {
    const ch = s.text.charAt(k);
    if (isLetter(ch) || isDigit(ch) || ch === '/' || ch === '_' || ch === '-') return true;
  }
  return false;
}

/** Whether the text from `i` (after a terminator and its closers) starts a new sentence with a capital. */
function capitalFollows(text: string, i: number): boolean {
  const w = nextWordStart(text, i);
  return isUpper(text.charAt(w));
}

/** "At 5 a.m. Mr. Smith went": a short fronted time phrase, so "a.m." does not end the sentence. */
function isFrontedTimePhrase(text: string, sentenceStart: number, tokenStart: number): boolean {
  const head = text.slice(sentenceStart, tokenStart).trim();
  if (head.length > MAX_LOOKBEHIND) return false;
  const words = head.split(/\s+/).filter((w) => w !== '');
  const first = (words[0] ?? '').replace(/^[^\p{L}]+/u, '').toLowerCase();
  return words.length <= 3 && TIME_PREPOSITIONS.has(first);
}

/** Decides whether the period at `p` (cluster ending at `end`) ends a sentence; returns the break or -1. */
function periodBreak(s: Scan, p: number, end: number, sentenceStart: number): number {
  const { text, n } = s;
  if (s.markerPeriods.has(p) || insideLink(s, p)) return -1;
  const after = skipClosers(text, end);
  if (after >= n) return -1;
  const whole = tokenBefore(text, p, sentenceStart);
  const multiPeriod = /^(?:\p{L}\.)+\p{L}$/u.test(whole.token);
  // Outside "U.S"-style tokens only the part after the last dot counts ("Tuesday.Mr" is the title "Mr").
  const cut = multiPeriod ? 0 : whole.token.lastIndexOf('.') + 1;
  const token = whole.token.slice(cut);
  const tokenStart = whole.start + cut;
  const lower = token.toLowerCase();
  const isTitle = TITLES_ANY_CASE.has(lower) || (TITLES_CAPITALISED.has(lower) && isUpper(token.charAt(0)));
  const next = text.charAt(after);

  if (!isSpace(next)) {
    // "world.Today" splits; "U.S.A.", "5.5", "Jr.'s", "a.m.," and "Mr.Smith" do not.
    if (!isUpper(next) || isTitle || after > end) return -1;
    const nextLetters = lettersAt(text, after);
    if (nextLetters.length < 2) return -1;
    if (token.length === 1 && isLetter(token)) return -1;
    return after;
  }

  const w = nextWordStart(text, after);
  if (w >= n) return -1;
  const c = text.charAt(w);
  if (isLower(c)) return -1;
  if (NEVER_TERMINAL.has(lower)) return -1;
  if (isDigit(c)) return NUMBER_PREFIXES.has(lower) || isTitle ? -1 : after;
  if (isTitle) return -1;

  if (multiPeriod) {
    if (lower === 'a.m' || lower === 'p.m') {
      return isFrontedTimePhrase(text, sentenceStart, tokenStart) ? -1 : after;
    }
    return SENTENCE_STARTERS.has(lettersAt(text, w).toLowerCase()) ? after : -1;
  }

  if (/^\p{Lu}$/u.test(token)) {
    // Initials ("Jonas E. Smith") versus a sentence ending in a capital letter ("you and I. Did").
    const prev = wordBefore(text, tokenStart, sentenceStart);
    const prevCapital = isUpper(prev.charAt(0));
    if (token === 'I') return prevCapital ? -1 : after;
    return prev === '' || prevCapital ? -1 : after;
  }
  return after;
}

/** Handles the terminator cluster starting at `i`; returns where scanning resumes and the break (or -1). */
function scanTerminator(s: Scan, i: number, sentenceStart: number): { resume: number; breakAt: number } {
  const { text, n } = s;

  // Spaced ellipsis: ". . ." never ends a sentence; ". . . ." does before a capital. When the first dot
  // is attached to a word ("compounds. . . . The") it is that sentence's full stop and the ellipsis opens
  // the next one.
  if (text.charAt(i) === '.' && text.charAt(i + 1) === ' ' && text.charAt(i + 2) === '.') {
    let k = 1;
    while (text.charAt(i + 2 * k - 1) === ' ' && text.charAt(i + 2 * k) === '.') k++;
    if (k >= 3) {
      const runEnd = i + 2 * (k - 1) + 1;
      if (k === 3) return { resume: runEnd, breakAt: -1 };
      const after = skipClosers(text, runEnd);
      if (after >= n || !capitalFollows(text, after)) return { resume: runEnd, breakAt: -1 };
      const attached = i > 0 && !isSpace(text.charAt(i - 1));
      return attached ? { resume: i + 1, breakAt: i + 1 } : { resume: after, breakAt: after };
    }
  }

  let j = i;
  let dots = 0;
  let strong = false;
  while (j < n && isTerminatorChar(text.charAt(j))) {
    const ch = text.charAt(j);
    if (ch === '.') dots++;
    else if (ch === '…') dots += 3;
    else strong = true;
    j++;
  }

  if (strong) {
    // "Hello!? Is that you?" splits; "Yahoo! in" and "“Why now?” he asked" do not.
    const after = skipClosers(text, j);
    if (after >= n) return { resume: after, breakAt: -1 };
    const next = text.charAt(after);
    if (!isSpace(next)) return { resume: after, breakAt: isUpper(next) ? after : -1 };
    const w = nextWordStart(text, after);
    if (w >= n || isLower(text.charAt(w))) return { resume: after, breakAt: -1 };
    if (after > j && ATTRIBUTION.test(text.slice(w, w + 80))) return { resume: after, breakAt: -1 };
    return { resume: after, breakAt: after };
  }
  if (dots === 3) return { resume: j, breakAt: -1 };
  if (dots >= 4) {
    const after = skipClosers(text, j);
    const breaks = after < n && isSpace(text.charAt(after)) && capitalFollows(text, after);
    return { resume: after, breakAt: breaks ? after : -1 };
  }
  const breakAt = periodBreak(s, j - 1, j, sentenceStart);
  return { resume: breakAt >= 0 ? breakAt : j, breakAt };
}

const MARKER = /^(\d{1,2}|[a-z])(\.\)|\.|\))(?=\s)/;

/** Matches a list marker ("1.", "2.)", "3)", "a.") at `i`, recording its period as never terminal. */
function readMarker(text: string, i: number, markerPeriods: Set<number>): RegExpExecArray | null {
  const m = MARKER.exec(text.slice(i, i + 6));
  if (m?.[2]?.startsWith('.')) markerPeriods.add(i + (m[1]?.length ?? 0));
  return m;
}

/** Forced breaks before list items: bullets ("• 9. …") or an ordered run ("1.) … 2.) …", "a. … b. …"). */
function listBreaks(text: string, markerPeriods: Set<number>): number[] {
  const breaks: number[] = [];
  let start = 0;
  while (start < text.length && isSpace(text.charAt(start))) start++;
  const first = text.charAt(start);
  const skipBullet = (i: number): number => {
    let j = i + 1;
    while (j < text.length && isSpace(text.charAt(j))) j++;
    return j;
  };

  if (BULLETS.has(first)) {
    readMarker(text, skipBullet(start), markerPeriods);
    let from = start + 1;
    for (;;) {
      const k = text.indexOf(first, from);
      if (k < 0) break;
      if (isSpace(text.charAt(k - 1))) {
        breaks.push(k);
        readMarker(text, skipBullet(k), markerPeriods);
      }
      from = k + 1;
    }
    return breaks;
  }

  const m = readMarker(text, start, markerPeriods);
  if (m === null || m[1] === undefined || m[2] === undefined) return breaks;
  const label = m[1];
  const format = m[2];
  const numeric = isDigit(label.charAt(0));
  let value = numeric ? Number(label) : label.charCodeAt(0);
  let from = start + m[0].length;
  for (;;) {
    value++;
    const nextLabel = numeric ? String(value) : String.fromCharCode(value);
    if (!numeric && value > 'z'.charCodeAt(0)) break;
    const needle = ` ${nextLabel}${format}`;
    let k = text.indexOf(needle, from);
    while (k >= 0 && !isSpace(text.charAt(k + needle.length))) k = text.indexOf(needle, k + 1);
    if (k < 0) break;
    breaks.push(k + 1);
    readMarker(text, k + 1, markerPeriods);
    from = k + needle.length;
  }
  return breaks;
}

/** Forced breaks at newlines between lines that carry no sentence punctuation at all (lists, headings). */
function newlineBreaks(text: string): number[] {
  const breaks: number[] = [];
  let lineStart = 0;
  let prevHasTerminal = true;
  let prevNewline = -1;
  while (lineStart <= text.length) {
    let nl = text.indexOf('\n', lineStart);
    if (nl < 0) nl = text.length;
    const hasTerminal = TERMINAL.test(text.slice(lineStart, nl));
    if (prevNewline >= 0 && !prevHasTerminal && !hasTerminal) breaks.push(prevNewline);
    prevHasTerminal = hasTerminal;
    prevNewline = nl;
    lineStart = nl + 1;
  }
  return breaks;
}

/**
 * Splits one paragraph into sentences so the bot can quote them exactly. Each returned string is a verbatim,
 * trimmed substring of the input, in order — with one exception: a whitespace run containing a line break
 * inside a sentence is normalised to a single space (text hard-wrapped mid-sentence, Golden Rules 40/41).
 * Lines with no sentence punctuation (headlines, list lines) come back as sentences of their own.
 */
export function segmentSentences(paragraph: string): string[] {
  const text = paragraph;
  const n = text.length;
  const markerPeriods = new Set<number>();
  const forced = [...listBreaks(text, markerPeriods), ...newlineBreaks(text)].sort((a, b) => a - b);
  const s: Scan = { text, n, markerPeriods, wordStart: 0, wordEnd: 0, wordIsLink: false };

  const breaks: number[] = [];
  let sentenceStart = 0;
  let f = 0;
  let i = 0;
  while (i < n) {
    while (f < forced.length && (forced[f] ?? n) <= i) {
      sentenceStart = Math.max(sentenceStart, forced[f] ?? 0);
      f++;
    }
    if (isTerminatorChar(text.charAt(i))) {
      const { resume, breakAt } = scanTerminator(s, i, sentenceStart);
      if (breakAt >= 0) {
        breaks.push(breakAt);
        sentenceStart = breakAt;
      }
      i = Math.max(resume, i + 1);
    } else {
      i++;
    }
  }

  const all = [...breaks, ...forced].sort((a, b) => a - b);
  const sentences: string[] = [];
  let from = 0;
  for (const b of [...all, n]) {
    if (b <= from) continue;
    const sentence = text
      .slice(from, b)
      .trim()
      .replace(/\s*\n\s*/g, ' ');
    if (sentence !== '') sentences.push(sentence);
    from = b;
  }
  return sentences;
}
