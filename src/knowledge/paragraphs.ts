/**
 * An article body as paragraphs. Articles pasted from web pages have one paragraph per line; an editor who
 * types or wraps text at 72–80 columns has paragraphs of several lines separated by blank lines, as in
 * Markdown. Both are read: a line break inside a sentence is a space, never a paragraph (a wrapped line
 * read as a paragraph is a fragment, or a "heading" the cleaner drops).
 */

/** Lines that stand alone whatever the wrapping: headings, list items, quotes, images, rules, tables. */
const STRUCTURE = /^(?:#{1,6}\s|[-*+•–]\s|\d{1,3}[.)]\s|>|!\[|\||(?:-{3,}|\*{3,}|_{3,})$)/u;
/** How a paragraph (or a heading, or a list lead) ends. */
const ENDS_PARAGRAPH = /[.!?:;…"”’')\]]$/u;
/** Words a sentence does not end on: a line ending with one goes on. */
const GOES_ON =
  /\b(?:the|a|an|of|to|and|or|but|for|by|with|from|into|that|which|who|whose|its|their|his|her|our|as|than|because|while|was|were|is|are|be|been|has|have|had|said|says|not|some|any|these|those)$/iu;
/** Shortest line taken to be wrapped (text wrapped at 72–80 columns has lines of 60 or more). */
const MIN_WRAPPED_LENGTH = 40;
/** Strong signs enough to read the whole body as wrapped: blank lines separate its paragraphs. */
const WRAPPED_SIGNS = 3;

export interface BodyParagraphs {
  paragraphs: string[];
  /** Line breaks read as spaces. */
  joined: number;
}

/**
 * @example bodyParagraphs('Kent Police has been placed into\nspecial measures.\n\nThe force said…').paragraphs
 * // ['Kent Police has been placed into special measures.', 'The force said…']
 */
export function bodyParagraphs(body: string): BodyParagraphs {
  const lines = body.split('\n').map((l) => l.trim());
  const open = (i: number): boolean => {
    const line = lines[i] ?? '';
    const next = lines[i + 1] ?? '';
    return (
      line !== '' && next !== '' && !/^#/.test(line) && !STRUCTURE.test(next) && !ENDS_PARAGRAPH.test(line)
    );
  };
  // A line that plainly runs on: the next starts in lower case, or this one ends on "the", "of", "said".
  // After a lead ending in a colon, lines starting in lower case are its items ("Inspectors found:").
  // Wrapped lines are long: short ones ("Read more", "Yes / No") are page furniture on lines of their own.
  const runsOn = (i: number, listing: boolean): boolean =>
    !listing &&
    open(i) &&
    (lines[i] ?? '').length >= MIN_WRAPPED_LENGTH &&
    (/^\p{Ll}/u.test(lines[i + 1] ?? '') || GOES_ON.test(lines[i] ?? ''));
  let signs = 0;
  let listing = false;
  for (let i = 0; i < lines.length; i++) {
    if (runsOn(i, listing)) signs++;
    listing = lines[i] === '' ? false : /:$/.test(lines[i] ?? '') || listing;
  }
  const wrapped = signs >= WRAPPED_SIGNS && lines.some((l) => l === '');

  const paragraphs: string[] = [];
  let joined = 0;
  let current = '';
  listing = false;
  lines.forEach((line, i) => {
    if (line === '') {
      if (current) paragraphs.push(current);
      current = '';
      listing = false;
      return;
    }
    if (current) {
      // In a wrapped body every line of a block goes on, a list item's too; otherwise only one that runs on.
      const goesOn = wrapped ? !STRUCTURE.test(line) && !/^#/.test(current) : runsOn(i - 1, listing);
      if (goesOn) {
        current = `${current} ${line}`;
        joined++;
        return;
      }
      paragraphs.push(current);
    }
    current = line;
    listing = listing || /:$/.test(line);
  });
  if (current) paragraphs.push(current);
  return { paragraphs, joined };
}
