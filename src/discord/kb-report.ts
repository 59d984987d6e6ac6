import type { AddResult, RebuildResult, StatusChange } from '../answer/holder.js';
import { formatIssue } from '../cli/issues.js';
import type { KnowledgeIssue } from '../knowledge/parse.js';
import { COLOURS, escapeMarkdown, renderReport } from '../render/discord.js';
import { stageLabel } from '../render/text.js';

/** The lines /kb replies share: the summary, status changes, warnings and error lists, audit outcomes. */

export function summaryLine(r: {
  summary: { articles: number; passages: number; forcesCovered: number; forcesKnown: number };
}): string {
  const s = r.summary;
  return `Now answering from ${s.articles} articles, ${s.passages} passages, ${s.forcesCovered} of ${s.forcesKnown} forces covered.`;
}

export function changeLines(changes: readonly StatusChange[]): string[] {
  if (!changes.length) return ['No force changed stage.'];
  return [
    '**Status changes:**',
    ...changes.map(
      (c) =>
        `• ${escapeMarkdown(c.name)}: ${stageLabel(c.before.stage)}${c.before.asOf ? ` (${c.before.asOf})` : ''} → ${stageLabel(c.after.stage)}${c.after.asOf ? ` (${c.after.asOf})` : ''}`,
    ),
  ];
}

export function warningLines(warnings: readonly KnowledgeIssue[]): string[] {
  return warnings.length
    ? ['', '**Warnings:**', ...warnings.map((w) => `• ${escapeMarkdown(formatIssue(w))}`)]
    : [];
}

export function errorsReport(
  heading: string,
  errors: readonly KnowledgeIssue[],
  summary?: RebuildResult['summary'],
) {
  const lines = errors.map((e) => `• ${escapeMarkdown(formatIssue(e))}`);
  if (summary)
    lines.push('', `Still answering from ${summary.articles} articles, ${summary.passages} passages.`);
  return renderReport(heading, lines, {
    colour: COLOURS.error,
    more: (n) => `… and ${n} more (npm run kb -- check)`,
  });
}

export function outcome(r: RebuildResult): string {
  if (r.ok)
    return `${r.summary.articles} articles, ${r.summary.passages} passages, ${r.changes.length} status change(s)`;
  const first = r.errors[0];
  return `${r.errors.length} error(s)${first ? `: ${formatIssue(first)}` : ''}`;
}

/** The reply after an article was written: what it is, what was learned, what changed. */
export function addedReport(
  article: { title: string; publisher: string; published: string; id: string },
  result: Extract<AddResult, { ok: true }>,
  forceName: (slug: string) => string,
  notes: { idNote?: string; extra?: string[] } = {},
) {
  const names = result.forces.map(forceName);
  const lines = [
    `**${escapeMarkdown(article.title)}** — ${escapeMarkdown(article.publisher)}, ${article.published}`,
    `id \`${article.id}\`${notes.idNote ?? ''}`,
    '',
    `**Learned:** ${result.passages} passages${names.length ? ` about ${escapeMarkdown(names.join(', '))}` : ' (no force named)'}.`,
    ...(result.passages === 0
      ? ['⚠️ Nothing citable was found in the text: check that it is the article itself.']
      : []),
    ...changeLines(result.changes),
    ...(notes.extra ?? []),
    '',
    summaryLine(result),
  ];
  return renderReport(result.replaced ? 'Article replaced' : 'Article added', lines, {
    colour: COLOURS.scan,
  });
}
