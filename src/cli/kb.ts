import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { KnowledgeHolder } from '../answer/holder.js';
import { openKnowledge } from '../answer/open.js';
import { gapsPathFromEnv, readGaps, summariseGaps } from '../ingest/gaps.js';
import { fetchOptionsFromEnv, readArticleFromFile, readArticleFromUrl } from '../ingest/read.js';
import { missingFields, previewReview, type Review, saveReview, startReview } from '../ingest/review.js';
import { knowledgeDir } from '../knowledge/load.js';
import { segmentSentences } from '../knowledge/segment.js';
import { stageLabel } from '../render/text.js';
import { tokenize } from '../search/analyzer.js';
import { formatIssue } from './issues.js';

const USAGE = `usage: npm run kb -- <command>

  check [--json]          validate the knowledge folder; exit 1 with file-named errors
  show <articleId> [--json]  an article's passages with their annotations, and the furniture removed
  segment                 read text on stdin, print its sentences as a JSON array
  add --url <link> | --file <page.html|page.txt>
      [--published YYYY-MM-DD] [--title <title>] [--publisher <name>] [--yes]
                          read an article, print a preview (passages, forces, status changes, problems);
                          save it with --yes or after "y" at the prompt. Exit 0 saved, 1 not saved
                          (refused, invalid, or declined), 2 usage
  gaps [--json]           questions the bot could not answer and answers marked 👎, grouped by force and words

  KNOWLEDGE_DIR           knowledge folder (default ./knowledge)
  GAPS_PATH               coverage gaps file (default <KNOWLEDGE_DIR>/gaps.jsonl)
  INGEST_ALLOW_ADDRESSES  tests only: IP addresses add --url may fetch although not public (e.g. 127.0.0.1)`;

/** Moderators' offline tools over the knowledge folder. */
async function main(argv: string[]): Promise<number> {
  // The same settings as the bot (KNOWLEDGE_DIR, GAPS_PATH…), so both work on one knowledge folder.
  dotenv.config({ quiet: true });
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  const args = rest.filter((a) => !a.startsWith('--'));
  switch (command) {
    case 'check':
      return check(json);
    case 'show':
      return show(args[0], json);
    case 'segment':
      return segment();
    case 'add':
      return add(rest);
    case 'gaps':
      return gaps(json);
    default:
      process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n`);
      return 2;
  }
}

async function check(json: boolean): Promise<number> {
  const { engine, loaded, issues } = await openKnowledge();
  const errors = issues.filter((i) => i.severity === 'error');
  const forcesCovered = new Set(engine.kb.passages.flatMap((p) => p.forces));
  const counts = {
    dir: loaded.dir,
    articles: loaded.articles.length,
    passages: engine.kb.passages.length,
    forces: loaded.forces.length,
    forcesCovered: forcesCovered.size,
    errors: errors.length,
    warnings: issues.length - errors.length,
  };
  if (json)
    process.stdout.write(`${JSON.stringify({ ok: errors.length === 0, ...counts, issues }, null, 2)}\n`);
  else {
    for (const i of issues) process.stdout.write(`${formatIssue(i)}\n`);
    process.stdout.write(
      `${counts.articles} articles, ${counts.passages} passages, ${counts.forcesCovered} of ${counts.forces} forces covered` +
        ` — ${errors.length ? `${errors.length} error(s)` : 'OK'}${counts.warnings ? `, ${counts.warnings} warning(s)` : ''}\n`,
    );
  }
  return errors.length ? 1 : 0;
}

async function show(id: string | undefined, json: boolean): Promise<number> {
  if (!id) {
    process.stderr.write('usage: npm run kb -- show <articleId> [--json]\n');
    return 2;
  }
  const { engine } = await openKnowledge();
  const meta = engine.kb.articles.get(id);
  if (!meta) {
    const ids = [...engine.kb.articles.keys()];
    process.stderr.write(
      `no article "${id}". Articles: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', …' : ''}\n`,
    );
    return 1;
  }
  const passages = engine.kb.byArticle.get(id) ?? [];
  const dropped = engine.kb.dropped.get(id) ?? [];
  if (json) {
    process.stdout.write(`${JSON.stringify({ article: meta, passages, dropped }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${meta.title} — ${meta.publisher}, ${meta.published}${meta.url ? ` <${meta.url}>` : ''}\n\n`,
  );
  for (const p of passages) {
    const who = p.speaker ? ` · ${p.speaker} (${p.speakerRole})` : '';
    process.stdout.write(
      `${p.paragraph}.${p.sentence} [${p.topic}] {${p.forces.join(', ')}}${who}\n    ${p.text}\n`,
    );
  }
  if (dropped.length) {
    process.stdout.write('\nLeft out as page furniture:\n');
    for (const d of dropped) process.stdout.write(`  ${d.index}: ${d.text}  (${d.reason})\n`);
  }
  return 0;
}

async function segment(): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  // Blank lines separate paragraphs (segmented one at a time: time grows faster than their length); a
  // single line break inside one is read as the Golden Rules read it (an errant break, or a list).
  const sentences = text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((block) => block.trim())
    .flatMap((paragraph) => segmentSentences(paragraph));
  process.stdout.write(`${JSON.stringify(sentences, null, 2)}\n`);
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

async function add(argv: string[]): Promise<number> {
  let values: {
    url?: string;
    file?: string;
    published?: string;
    title?: string;
    publisher?: string;
    yes?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        file: { type: 'string' },
        published: { type: 'string' },
        title: { type: 'string' },
        publisher: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (!values.url === !values.file) return usage('add needs exactly one of --url <link> or --file <path>');
  const read = values.url
    ? await readArticleFromUrl(values.url, fetchOptionsFromEnv())
    : await readArticleFromFile(path.resolve(values.file ?? ''));
  const started = startReview(read, {
    published: values.published ?? null,
    title: values.title ?? null,
    publisher: values.publisher ?? null,
  });
  if (!started.ok) {
    process.stderr.write(`Not added: ${started.reason}\n`);
    return 1;
  }
  const review = started.review;
  const holder = await KnowledgeHolder.open(knowledgeDir());
  process.stdout.write(previewText(review, holder));
  const missing = missingFields(review);
  if (missing.length) {
    process.stderr.write(
      `\nNot saved: ${missing.join('; ')}. Give ${review.draft.published ? '' : '--published YYYY-MM-DD '}${review.draft.title ? '' : '--title "…" '}and run again.\n`,
    );
    return 1;
  }
  let yes = values.yes === true;
  if (!yes && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    yes = /^y(?:es)?$/i.test((await rl.question('\nSave this article? [y/N] ')).trim());
    rl.close();
  }
  if (!yes) {
    process.stderr.write('\nNot saved (preview only): run again with --yes to save.\n');
    return 1;
  }
  const result = await saveReview(review, holder, 'cli');
  if (!result.ok) {
    process.stderr.write(`\nNot saved:\n${result.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 1;
  }
  const name = (slug: string) => holder.engine.kb.gazetteer.bySlug(slug)?.name ?? slug;
  const s = result.summary;
  process.stdout.write(
    `\n${result.replaced ? 'Replaced' : 'Saved'} ${result.file}: ${result.passages} passages${
      result.forces.length ? ` about ${result.forces.map(name).join(', ')}` : ''
    }.\n${changesText(result.changes)}Now ${s.articles} articles, ${s.passages} passages, ${s.forcesCovered} of ${s.forcesKnown} forces covered.\n`,
  );
  return 0;
}

function changesText(
  changes: readonly {
    name: string;
    before: { stage: Parameters<typeof stageLabel>[0]; asOf: string | null };
    after: { stage: Parameters<typeof stageLabel>[0]; asOf: string | null };
  }[],
): string {
  if (!changes.length) return 'Status changes: none.\n';
  return `Status changes:\n${changes
    .map(
      (c) =>
        `  ${c.name}: ${stageLabel(c.before.stage)}${c.before.asOf ? ` (${c.before.asOf})` : ''} → ${stageLabel(c.after.stage)}${c.after.asOf ? ` (${c.after.asOf})` : ''}\n`,
    )
    .join('')}`;
}

/** The same preview the bot shows, as text. */
function previewText(review: Review, holder: KnowledgeHolder): string {
  const { draft } = review;
  const p = previewReview(review, holder);
  const out: string[] = [
    `${draft.title ?? '(no title)'}`,
    `${draft.publisher} · ${draft.published ?? 'NO DATE'}${draft.url ? ` · ${draft.url}` : draft.source ? ` · ${draft.source}` : ''}`,
  ];
  if (p.articleId)
    out.push(
      p.duplicateOf
        ? `Would replace articles/${p.duplicateOf}.md (same address).`
        : `Would be saved as articles/${p.articleId}.md`,
    );
  out.push('', `First passages (${p.passages} in all):`, ...p.firstPassages.map((x) => `  > ${x.text}`));
  out.push(
    '',
    `Forces found: ${p.forces.length ? p.forces.map((f) => `${f.name} (${f.passages})`).join(', ') : 'none'}`,
  );
  if (p.statusChanges === null) out.push('Status changes: shown once it has a date (--published).');
  else
    out.push(
      changesText(p.statusChanges)
        .trimEnd()
        .replace(/^Status changes:/, 'Status changes if saved:'),
    );
  if (review.problems.length)
    out.push(
      '',
      'Problems:',
      ...review.problems.map((x) => `  ${x.blocking ? 'needs fixing' : 'check'}: ${x.message}`),
    );
  if (p.dropped) out.push('', `${p.dropped} lines of page furniture were left out.`);
  return `${out.join('\n')}\n`;
}

async function gaps(json: boolean): Promise<number> {
  const file = gapsPathFromEnv();
  const entries = await readGaps(file);
  let forces: { slug: string; name: string }[] = [];
  try {
    forces = JSON.parse(await readFile(path.join(knowledgeDir(), 'forces.json'), 'utf8'));
  } catch {
    // no gazetteer: force slugs are shown as they are
  }
  const s = summariseGaps(entries, { limit: 20, protectedWords: forces.flatMap((f) => tokenize(f.name)) });
  if (json) {
    process.stdout.write(`${JSON.stringify({ file, ...s }, null, 2)}\n`);
    return 0;
  }
  if (s.total === 0) {
    process.stdout.write(`No gaps recorded in ${file}.\n`);
    return 0;
  }
  const name = (slug: string) => forces.find((f) => f.slug === slug)?.name ?? slug;
  const group = (g: (typeof s.byForce)[number], label: string) =>
    `  ${String(g.count).padStart(4)}  ${label}  (${g.abstained} unanswered, ${g.unhelpful} unhelpful; latest ${g.latest.slice(0, 10)})\n${g.examples.map((e) => `          “${e}”\n`).join('')}`;
  process.stdout.write(
    `${s.total} gaps in ${file}: ${s.abstained} questions not answered, ${s.unhelpful} answers marked unhelpful.\n\nBy force:\n${
      s.byForce.map((g) => group(g, name(g.key))).join('') || '  (none named a force)\n'
    }\nBy words:\n${s.byWords.map((g) => group(g, g.key)).join('')}\nMost asked words: ${s.topWords
      .map((w) => `${w.word} (${w.count})`)
      .join(', ')}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = 1;
  },
);
