import { openKnowledge } from '../answer/open.js';
import { segmentSentences } from '../knowledge/segment.js';
import { formatIssue } from './issues.js';

const USAGE = `usage: npm run kb -- <command>

  check [--json]          validate the knowledge folder; exit 1 with file-named errors
  show <articleId> [--json]  an article's passages with their annotations, and the furniture removed
  segment                 read text on stdin, print its sentences as a JSON array

  KNOWLEDGE_DIR           knowledge folder (default ./knowledge)`;

/** Moderators' offline tools over the knowledge folder. */
async function main(argv: string[]): Promise<number> {
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
  const sentences = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .flatMap((paragraph) => segmentSentences(paragraph));
  process.stdout.write(`${JSON.stringify(sentences, null, 2)}\n`);
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
