/**
 * Knowledge files are Markdown, and articles pasted into them often keep the page's Markdown: `## Sub-
 * headings`, `- bullets`, `> quotes`, `**bold**`, `[links](…)`, `![images](…)`. The published text is what
 * a reader sees, so citations quote that, never the markup: this reads one body line as a reader would.
 */

/** One body line as a reader sees it, and what Markdown said about its shape. */
export interface PlainLine {
  /** The text without Markdown syntax (link text kept, addresses and emphasis markers gone). */
  text: string;
  /** A line that is page structure in Markdown itself, never story text. */
  block: 'heading' | 'rule' | 'image' | 'link' | 'reference' | null;
  /** A bulleted or numbered list item (`- `, `* `, `+ `, `1. `, `1) `, `•`). */
  listItem: boolean;
}

const ATX_HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+)$/;
const TABLE_SEPARATOR = /^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-{0,}:?\s*\|?$/;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;
const BLOCKQUOTE = /^(?:\s*>)+\s?/;
const LIST_MARKER = /^\s*(?:[-*+•▪●◦‣]|\d{1,3}[.)])\s+/u;
const IMAGE = /!\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)/g;
const LINK = /\[([^\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)/g;
const REFERENCE_LINK = /\[([^\]]+)\]\[[^\]]*\]/g;
const AUTOLINK = /<((?:https?:\/\/|mailto:)[^>\s]+)>/g;
const HTML_TAG = /<\/?(?:a|abbr|b|br|cite|code|em|i|mark|p|s|small|span|strong|sub|sup|u|div)\b[^>]*>/gi;
const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&nbsp;': ' ',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
  '&lt;': '<',
  '&gt;': '>',
  '&pound;': '£',
  '&ndash;': '–',
  '&mdash;': '—',
  '&lsquo;': '‘',
  '&rsquo;': '’',
  '&ldquo;': '“',
  '&rdquo;': '”',
};

/**
 * Reads one body line as a reader would see it.
 *
 * @example plainLine('- Inspectors found [poor record-keeping](https://x.y/r).')
 * // { text: 'Inspectors found poor record-keeping.', block: null, listItem: true }
 */
export function plainLine(line: string): PlainLine {
  const heading = ATX_HEADING.exec(line);
  if (heading) return { text: inline(heading[1] ?? ''), block: 'heading', listItem: false };
  const trimmed = line.trim();
  if (RULE.test(trimmed) || TABLE_SEPARATOR.test(trimmed))
    return { text: '', block: 'rule', listItem: false };
  if (REFERENCE_DEFINITION.test(line)) return { text: '', block: 'reference', listItem: false };

  let text = line.replace(BLOCKQUOTE, '');
  const listItem = LIST_MARKER.test(text);
  if (listItem) text = text.replace(LIST_MARKER, '');
  const body = text.trim();
  // A line that is only an image, or only a link, is a picture or a related link: page structure.
  if (/^(?:!\[[^\]]*\]\([^)]*\)\s*)+$/.test(body)) return { text: inline(body), block: 'image', listItem };
  if (/^\[[^\]]+\]\([^)]*\)$/.test(body)) return { text: inline(body), block: 'link', listItem };
  return { text: inline(text), block: null, listItem };
}

/** Inline Markdown and a few HTML leftovers to plain text. Text without markup comes back unchanged. */
function inline(text: string): string {
  if (!/[[\]*_`<>&\\~!]/.test(text)) return text.trim();
  const out = text
    .replace(IMAGE, '')
    .replace(LINK, '$1')
    .replace(REFERENCE_LINK, '$1')
    .replace(AUTOLINK, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(HTML_TAG, '')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(?<![\p{L}\p{N}*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\p{L}\p{N}*])/gu, '$1')
    .replace(/(?<![\p{L}\p{N}_\\])_(?=[^\s_])(.+?)(?<=[^\s_\\])_(?![\p{L}\p{N}_])/gu, '$1')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1')
    .replace(/&(?:[a-z]+|#\d+);/gi, (e) => ENTITIES[e.toLowerCase()] ?? e);
  return out.replace(/\s{2,}/g, ' ').trim();
}
