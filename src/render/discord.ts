import type {
  APIActionRowComponent,
  APIComponentInMessageActionRow,
  APIEmbed,
  APIEmbedField,
} from 'discord-api-types/v10';
import type { Answer, Citation, Stage } from '../answer/types.js';
import { citationNumbersBySource, sourceLabel, stageLabel } from './text.js';

/**
 * Answer → Discord message data (plain objects, no client): one embed with the stage colour, verbatim
 * sentences as block quotes with numbered citations linked to their sources, and a compact source list.
 * Everything is cut to Discord's limits here, so the shell can send what it gets.
 */

/** Discord's documented limits (characters unless stated). */
export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  embedTotal: 6000,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

export const COLOURS = {
  engage: 0xd83c3e,
  scan: 0x2e9d5b,
  unknown: 0x99aab5,
  neutral: 0x5865f2,
  error: 0xed4245,
} as const;

/** No @everyone, role or user ping, whatever the text says. */
export const NO_MENTIONS = { parse: [] as never[] };

/** A message as discord.js `reply`/`send`/`editReply` accepts it. */
export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  allowedMentions: { parse: never[] };
  /** Buttons, at most 5 rows of at most 5. */
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
}

/** Longest quote before it is cut (so one huge sentence cannot crowd out the others). */
const MAX_QUOTE = 900;
/** Longest echoed question. */
const MAX_ECHO = 300;

// ───────────────────────────── text helpers ─────────────────────────────

/**
 * Escapes Discord Markdown so user or article text shows as typed: emphasis, code, spoilers, strike,
 * quotes, headings, lists, masked links and mention syntax all come out literally.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]<]/g, (c) => `\\${c}`)
    .replace(/^(\s*)(>|#{1,3}|[-+]|\d+\.)(?=\s)/gm, '$1\\$2');
}

/** Cuts `text` to at most `max` characters, never inside a surrogate pair or after a lone backslash. */
export function cutText(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  if (max <= ellipsis.length) return ellipsis.slice(0, Math.max(0, max));
  let end = max - ellipsis.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  let cut = text.slice(0, end);
  // Prefer a word boundary when one is close.
  const space = cut.lastIndexOf(' ');
  if (space > end * 0.8) cut = cut.slice(0, space);
  cut = cut.replace(/\\+$/, (m) => (m.length % 2 ? m.slice(1) : m)).trimEnd();
  return `${cut}${ellipsis}`;
}

/**
 * Joins blocks (lines or paragraphs) into at most `max` characters; blocks that do not fit are left out and
 * replaced by `hint(left)`, so a cut never lands inside a link or a quote.
 */
export function fitBlocks(
  blocks: readonly string[],
  max: number,
  hint: (left: number) => string,
  sep = '\n',
): { text: string; shown: number } {
  const all = blocks.join(sep);
  if (all.length <= max) return { text: all, shown: blocks.length };
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i] ?? '';
    const tail = hint(blocks.length - i);
    const add = (out.length ? sep.length : 0) + block.length;
    const rest = blocks.length - i - 1;
    const reserve = rest > 0 ? sep.length + hint(rest).length : 0;
    if (used + add + reserve > max) {
      // The first block alone is too long: cut it rather than show nothing.
      if (out.length === 0) {
        const room = max - sep.length - tail.length;
        if (room > 20) {
          out.push(cutText(block, room));
          const after = hint(blocks.length - i - 1);
          if (rest > 0) out.push(after);
          return { text: out.join(sep), shown: 1 };
        }
      }
      out.push(tail);
      return { text: cutText(out.join(sep), max), shown: i };
    }
    out.push(block);
    used += add;
  }
  return { text: out.join(sep), shown: blocks.length };
}

function link(text: string, url: string | null): string {
  if (!url) return text;
  return `[${text}](${url.replace(/\)/g, '%29').replace(/\s/g, '%20')})`;
}

/** "[1]" linked to the citation's article when the URL is known. */
export function citationRef(c: Pick<Citation, 'n' | 'url'>): string {
  return c.url ? `[\\[${c.n}\\]](${c.url.replace(/\)/g, '%29').replace(/\s/g, '%20')})` : `\\[${c.n}\\]`;
}

export function stageColour(stage: Stage): number {
  return COLOURS[stage];
}

const STAGE_DOT: Record<Stage, string> = { engage: '🔴', scan: '🟢', unknown: '⚪' };

// ───────────────────────────── answers ─────────────────────────────

export interface RenderOptions {
  /** The user's question, echoed (escaped) above the answer. */
  question?: string;
}

/** Renders an answer as one embed (plus an echoed question in `content`), inside every Discord limit. */
export function renderAnswer(answer: Answer, opts: RenderOptions = {}): DiscordMessage {
  const embed: APIEmbed = answer.answered ? answeredEmbed(answer) : abstainEmbed(answer);
  const msg: DiscordMessage = { embeds: [fitEmbed(embed)], allowedMentions: NO_MENTIONS };
  if (opts.question?.trim())
    msg.content = cutText(`> ${escapeMarkdown(opts.question.replace(/\s+/g, ' ').trim())}`, MAX_ECHO);
  return fitMessage(msg);
}

function title(answer: Answer): string {
  const who = answer.forceName ?? answer.force ?? '';
  switch (answer.intent) {
    case 'status':
      return answer.status ? `${who}: ${stageLabel(answer.status.stage)}` : `Status: ${who}`;
    case 'findings':
      return `Inspection findings: ${who}`;
    case 'responses':
      return `Responses: ${who}`;
    case 'forces':
      return 'Forces and their monitoring stage';
    case 'sources':
      return 'Sources';
    default:
      return who ? `Answer: ${who}` : 'Answer';
  }
}

function quoteLine(c: Citation): string {
  const text = escapeMarkdown(cutText(c.text.replace(/\s+/g, ' ').trim(), MAX_QUOTE));
  const who = c.speaker ? ` — ${escapeMarkdown(c.speaker)}` : '';
  return `> ${text}\n${citationRef(c)}${who}`;
}

function answeredEmbed(answer: Answer): APIEmbed {
  const byN = new Map(answer.citations.map((c) => [c.n, c]));
  const shown = new Set<number>();
  const quotes = (ns: readonly number[]): string[] => {
    const out: string[] = [];
    for (const n of ns) {
      const c = byN.get(n);
      if (c && !shown.has(n)) {
        shown.add(n);
        out.push(quoteLine(c));
      }
    }
    return out;
  };
  const head = escapeMarkdown(answer.headline);
  const blocks: string[] = [];
  const fields: APIEmbedField[] = [];
  let colour: number = COLOURS.neutral;

  if (answer.status) {
    const st = answer.status;
    colour = stageColour(st.stage);
    fields.push(
      { name: 'Stage', value: stageLabel(st.stage), inline: true },
      { name: 'Since', value: st.since ?? '—', inline: true },
      { name: 'As of', value: st.asOf ?? '—', inline: true },
    );
    blocks.push(...quotes(st.evidence));
    if (st.history.length) {
      const lines = st.history.map(
        (h) => `${h.date} · ${stageLabel(h.stage)} ${h.citations.map((n) => refFor(byN, n)).join(' ')}`,
      );
      fields.push({ name: 'History', value: fitBlocks(lines, LIMITS.fieldValue, moreLines).text });
      // The history's sentences are quoted too, after the current evidence.
      blocks.push(...quotes(st.history.flatMap((h) => h.citations)));
    }
    if (st.note) fields.push({ name: 'Note', value: cutText(escapeMarkdown(st.note), LIMITS.fieldValue) });
  }
  if (answer.statuses?.length) {
    // One line per force (the bot's own words), then the sentences behind them, as the text renderer does.
    const rows = answer.statuses.map((r) => {
      const dates =
        r.since && r.since !== r.asOf ? `since ${r.since}, as of ${r.asOf}` : `as of ${r.asOf ?? '—'}`;
      const note = r.note ? ` — note: ${escapeMarkdown(r.note)}` : '';
      const refs = (r.evidence ?? []).map((n) => refFor(byN, n)).join(' ');
      return `${STAGE_DOT[r.stage]} **${escapeMarkdown(r.name)}** — ${stageShort(r.stage)} · ${dates}${refs ? ` ${refs}` : ''}${note}`;
    });
    const cited = quotes(answer.citations.map((c) => c.n));
    const fit = fitBlocks(
      [head, '', ...rows, ...(cited.length ? [''] : []), ...cited],
      LIMITS.embedDescription,
      (left) => `*… and ${left} more lines — ask /status <force> for one force and its evidence.*`,
    );
    return {
      title: cutText(escapeTitle(title(answer)), LIMITS.embedTitle),
      description: fit.text,
      color: colour,
      fields: [sourcesField(answer)].filter(isField),
      footer: { text: 'Dates are those of the articles. Quotes are verbatim.' },
    };
  }
  if (answer.intent === 'sources') {
    const lines = answer.sources.map((s) => {
      const forces = s.forces?.length ? ` · ${s.forces.join(', ')}` : '';
      return `**${link(escapeMarkdown(s.title), s.url)}** — ${escapeMarkdown(sourceLabel(s))}\n\`${s.articleId}\` · ${s.passages ?? 0} passages${forces}`;
    });
    return {
      title: 'Sources',
      description: fitBlocks(
        [head, ...lines],
        LIMITS.embedDescription,
        (left) => `… and ${left} more articles.`,
        '\n\n',
      ).text,
      color: COLOURS.neutral,
    };
  }
  blocks.push(...quotes(answer.citations.map((c) => c.n)));
  const fit = fitBlocks(
    [head, ...blocks],
    LIMITS.embedDescription,
    (left) => `*… ${left} more ${left === 1 ? 'quote' : 'quotes'} — ask a narrower question to see more.*`,
    '\n\n',
  );
  return {
    title: cutText(escapeTitle(title(answer)), LIMITS.embedTitle),
    description: fit.text,
    color: colour,
    fields: [...fields, sourcesField(answer)].filter(isField),
  };
}

function stageShort(stage: Stage): string {
  return stage === 'engage' ? 'Engage' : stage === 'scan' ? 'Scan' : 'unknown';
}

function refFor(byN: Map<number, Citation>, n: number): string {
  const c = byN.get(n);
  return c ? citationRef(c) : `\\[${n}\\]`;
}

const moreLines = (left: number) => `… and ${left} more`;

function sourcesField(answer: Answer): APIEmbedField | null {
  if (!answer.sources.length) return null;
  const nums = citationNumbersBySource(answer);
  const lines = answer.sources.map((s, i) => {
    const ns = (nums.get(i) ?? []).join(', ');
    return `${ns ? `\\[${ns}\\] ` : ''}${link(escapeMarkdown(cutText(s.title, 150)), s.url)} — ${escapeMarkdown(sourceLabel(s))}`;
  });
  return {
    name: answer.sources.length === 1 ? 'Source' : 'Sources',
    value: fitBlocks(lines, LIMITS.fieldValue, (left) => `… and ${left} more — see /sources`).text,
  };
}

function isField(f: APIEmbedField | null): f is APIEmbedField {
  return f !== null && f.value.length > 0;
}

function abstainEmbed(answer: Answer): APIEmbed {
  const lines = [escapeMarkdown(answer.headline)];
  if (answer.suggestions.length)
    lines.push('', '**You can ask:**', ...answer.suggestions.map((s) => `• ${escapeMarkdown(s)}`));
  return {
    title: answer.status
      ? cutText(escapeTitle(title(answer)), LIMITS.embedTitle)
      : 'No answer from the sources',
    description: fitBlocks(lines, LIMITS.embedDescription, moreLines).text,
    color: COLOURS.unknown,
  };
}

/** Titles render little Markdown, but escape what they do render. */
function escapeTitle(s: string): string {
  return s.replace(/[\\*_~`|]/g, (c) => `\\${c}`);
}

// ───────────────────────────── limits ─────────────────────────────

function embedLength(e: APIEmbed): number {
  return (
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Cuts one embed to the per-part limits and to the 6,000-character total (dropping fields from the end). */
export function fitEmbed(e: APIEmbed, total: number = LIMITS.embedTotal): APIEmbed {
  const out: APIEmbed = { ...e };
  if (out.title !== undefined) out.title = cutText(out.title, LIMITS.embedTitle);
  if (out.description !== undefined) out.description = cutText(out.description, LIMITS.embedDescription);
  if (out.footer) out.footer = { ...out.footer, text: cutText(out.footer.text, LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: cutText(out.author.name, LIMITS.author) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.embedFields).map((f) => ({
      ...f,
      name: cutText(f.name, LIMITS.fieldName),
      value: cutText(f.value, LIMITS.fieldValue),
    }));
    while (out.fields.length && embedLength(out) > total) out.fields.pop();
    if (!out.fields.length) delete out.fields;
  }
  if (embedLength(out) > total && out.description) {
    const room = Math.max(0, out.description.length - (embedLength(out) - total));
    out.description = cutText(out.description, room);
  }
  return out;
}

/** The whole message inside Discord's limits: content, at most 10 embeds, 6,000 characters over them all. */
export function fitMessage(msg: DiscordMessage): DiscordMessage {
  const out: DiscordMessage = { ...msg, allowedMentions: NO_MENTIONS };
  if (out.content !== undefined) {
    out.content = cutText(out.content, LIMITS.content);
    if (!out.content) delete out.content;
  }
  const embeds: APIEmbed[] = [];
  let left: number = LIMITS.embedTotal;
  for (const e of msg.embeds.slice(0, LIMITS.embeds)) {
    if (left < 50) break;
    const fitted = fitEmbed(e, left);
    embeds.push(fitted);
    left -= embedLength(fitted);
  }
  out.embeds = embeds;
  return out;
}

/**
 * The same message without embeds, for a channel where the bot may not embed (no Embed Links: Discord
 * refuses the whole message with 50013): the embeds' title, text, fields and footer as Markdown in
 * `content`, within 2,000 characters. The text is cut between paragraphs (never inside a quote or link),
 * keeping room for the fields (the sources), with a note saying why; buttons are kept.
 */
export function embedsAsText(msg: DiscordMessage): DiscordMessage {
  const SEP = '\n\n';
  const head: string[] = msg.content ? [msg.content] : [];
  const paragraphs: string[] = [];
  const tail: string[] = [];
  for (const e of msg.embeds) {
    // Titles are escaped only for what titles render; in content links and mentions render too.
    if (e.title) head.push(`**${e.title.replace(/[[\]<]/g, (c) => `\\${c}`)}**`);
    if (e.description) paragraphs.push(...e.description.split(SEP));
    let inline: string[] = [];
    for (const f of e.fields ?? []) {
      // Inline fields (Stage · Since · As of) share a line, as they share a row in the embed.
      if (f.inline) inline.push(`**${f.name}:** ${f.value}`);
      else {
        if (inline.length) tail.push(inline.join(' · '));
        inline = [];
        tail.push(`**${f.name}:** ${f.value}`);
      }
    }
    if (inline.length) tail.push(inline.join(' · '));
    if (e.footer?.text) tail.push(`-# ${escapeMarkdown(e.footer.text)}`);
  }
  const hint = (left: number) =>
    `*… ${left} more: give me the Embed Links permission in this channel to show whole answers.*`;
  const size = (blocks: readonly string[]) => blocks.join(SEP).length + (blocks.length ? SEP.length : 0);
  // Keep the sources while the text still has a fair share of the room.
  while (tail.length && LIMITS.content - size(head) - size(tail) < 600) tail.pop();
  const room = LIMITS.content - size(head) - size(tail);
  const body = paragraphs.length ? [fitBlocks(paragraphs, Math.max(0, room), hint, SEP).text] : [];
  const text = fitBlocks([...head, ...body, ...tail].filter(Boolean), LIMITS.content, hint, SEP).text;
  return {
    content: text || '—',
    embeds: [],
    allowedMentions: NO_MENTIONS,
    ...(msg.components ? { components: msg.components } : {}),
  };
}

// ───────────────────────────── other messages ─────────────────────────────

/** A short notice (errors, refusals, rate limits) as a message. */
export function renderNotice(text: string, opts: { colour?: number; title?: string } = {}): DiscordMessage {
  return fitMessage({
    embeds: [
      {
        ...(opts.title ? { title: opts.title } : {}),
        description: text,
        color: opts.colour ?? COLOURS.unknown,
      },
    ],
    allowedMentions: NO_MENTIONS,
  });
}

/** The apology for an unexpected error, with the id to find it in the logs. */
export function renderError(errorId: string): DiscordMessage {
  return renderNotice(
    `Sorry — something went wrong on my side and I could not answer. The moderators can find what happened in the logs under error id \`${errorId}\`.`,
    { colour: COLOURS.error },
  );
}

/** Autocomplete choices: at most 25, names and values at most 100 characters. */
export function renderChoices(
  items: readonly { name: string; value: string }[],
): { name: string; value: string }[] {
  return items
    .filter((c) => c.value.length > 0 && c.value.length <= LIMITS.choiceValue)
    .slice(0, LIMITS.choices)
    .map((c) => ({
      name: cutText(c.name.replace(/\s+/g, ' ').trim() || c.value, LIMITS.choiceName),
      value: c.value,
    }));
}

/** A titled list (e.g. /kb replies): blocks fitted into the description, an optional footer. */
export function renderReport(
  heading: string,
  lines: readonly string[],
  opts: { colour?: number; footer?: string; more?: (left: number) => string } = {},
): DiscordMessage {
  return fitMessage({
    embeds: [
      {
        title: cutText(heading, LIMITS.embedTitle),
        description: fitBlocks(lines, LIMITS.embedDescription, opts.more ?? moreLines).text || '—',
        color: opts.colour ?? COLOURS.neutral,
        ...(opts.footer ? { footer: { text: opts.footer } } : {}),
      },
    ],
    allowedMentions: NO_MENTIONS,
  });
}
