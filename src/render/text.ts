import type { Answer, Citation, Source, Stage } from '../answer/types.js';

/** How a stage reads to a person. */
export function stageLabel(stage: Stage): string {
  if (stage === 'engage') return 'Engage (special measures)';
  if (stage === 'scan') return 'Scan (routine monitoring)';
  return 'unknown (no evidence)';
}

/** Which citation numbers come from each source, e.g. "1, 2, 5". */
export function citationNumbersBySource(answer: Answer): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const c of answer.citations) out.set(c.source, [...(out.get(c.source) ?? []), c.n]);
  return out;
}

/** "Sky News, 2023-11-24" — the short form of a source used after each line. */
export function sourceLabel(s: Pick<Source, 'publisher' | 'published'>): string {
  return `${s.publisher}, ${s.published}`;
}

function citationLine(c: Citation): string {
  const who = c.speaker ? ` — ${c.speaker}` : '';
  return `[${c.n}] ${c.text}${who}`;
}

/**
 * Renders an answer as plain text for the terminal: headline, numbered verbatim sentences, history and
 * note for a status, and the list of sources with the citation numbers each supports.
 */
export function renderText(answer: Answer): string {
  const out: string[] = [answer.headline];
  const byN = new Map(answer.citations.map((c) => [c.n, c]));
  const shown = new Set<number>();
  const show = (ns: number[]) => {
    for (const n of ns) {
      const c = byN.get(n);
      if (c && !shown.has(n)) {
        out.push(citationLine(c));
        shown.add(n);
      }
    }
  };

  if (answer.status && answer.answered) {
    const st = answer.status;
    out.push(
      `Stage: ${stageLabel(st.stage)}${st.since ? ` · since ${st.since}` : ''}${st.asOf ? ` · as of ${st.asOf}` : ''}`,
    );
    out.push('');
    show(st.evidence);
    if (st.history.length) {
      out.push('', 'History:');
      for (const h of st.history) {
        out.push(`  ${h.date}  ${stageLabel(h.stage)}`);
        show(h.citations);
      }
    }
    if (st.note) out.push('', `Note: ${st.note}`);
  }
  if (answer.statuses?.length) {
    out.push('');
    const w = Math.max(...answer.statuses.map((r) => r.name.length));
    for (const r of answer.statuses) {
      const dates = r.since && r.since !== r.asOf ? `since ${r.since}, as of ${r.asOf}` : `as of ${r.asOf}`;
      out.push(
        `  ${r.name.padEnd(w)}  ${stageLabel(r.stage).padEnd(26)} ${dates}${r.note ? ` (note: ${r.note})` : ''}`,
      );
    }
  }
  const rest = answer.citations.filter((c) => !shown.has(c.n));
  if (rest.length) {
    out.push('');
    show(rest.map((c) => c.n));
  }
  if (answer.intent === 'sources' && answer.answered) {
    out.push('');
    for (const s of answer.sources) {
      out.push(`• ${s.title} — ${sourceLabel(s)}${s.url ? ` <${s.url}>` : ''}`);
      out.push(
        `  id ${s.articleId} · ${s.passages ?? 0} passages${s.forces?.length ? ` · ${s.forces.join(', ')}` : ''}`,
      );
    }
  } else if (answer.sources.length) {
    out.push('', 'Sources:');
    const nums = citationNumbersBySource(answer);
    answer.sources.forEach((s, i) => {
      out.push(
        `  [${(nums.get(i) ?? []).join(', ')}] ${s.title} — ${sourceLabel(s)}${s.url ? ` <${s.url}>` : ''}`,
      );
    });
  }
  if (!answer.answered && answer.suggestions.length) {
    out.push('', 'You can ask:');
    for (const s of answer.suggestions) out.push(`  ${s}`);
  }
  return out.join('\n');
}
