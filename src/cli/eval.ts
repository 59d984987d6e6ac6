import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { createEngine, type Engine } from '../answer/compose.js';
import type { Answer } from '../answer/types.js';
import { knowledgeDir, type LoadedFolder, loadKnowledgeFolder } from '../knowledge/load.js';
import { segmentSentences } from '../knowledge/segment.js';

/** One evaluation case, in the format of shared/eval/questions.json. */
const caseSchema = z.object({
  id: z.string(),
  q: z.string(),
  expect: z.object({
    intent: z.string().optional(),
    force: z.string().optional(),
    stage: z.string().optional(),
    stage_not: z.string().optional(),
    note: z.boolean().optional(),
    answered: z.boolean().optional(),
    cite_any: z.array(z.string()).optional(),
    statuses_include: z.record(z.string(), z.string()).optional(),
    statuses_exclude: z.record(z.string(), z.string()).optional(),
  }),
});
type EvalCase = z.infer<typeof caseSchema>;
/** An eval file: the shared array format, or `{ knowledge, cases }` to run on a fixture knowledge folder. */
const fileSchema = z.union([
  z.array(caseSchema),
  z.object({
    knowledge: z.string(),
    forces: z.string().optional(),
    description: z.string().optional(),
    cases: z.array(caseSchema),
  }),
]);

const norm = (s: string | null | undefined) =>
  String(s ?? '')
    .replace(/[“”]/g, '"')
    .replace(/[‘’]/g, "'")
    .replace(/\s+/g, ' ')
    .toLowerCase();

/** Why a case fails, by the same rules as shared/eval/score.mjs; empty when it passes. */
export function judge(c: EvalCase, out: Answer): string[] {
  const why: string[] = [];
  const e = c.expect;
  const cites = out.citations.map((x) => norm(x.text));
  const top = out.intent === 'ask' ? cites.slice(0, 3) : cites;
  if (e.answered === false) {
    if (out.answered !== false) why.push(`should abstain, answered=${out.answered}`);
  } else if (out.answered !== true && !e.statuses_include) why.push(`answered=${out.answered}`);
  if (e.intent && out.intent !== e.intent) why.push(`intent ${out.intent} != ${e.intent}`);
  if (e.force && out.force !== e.force) why.push(`force ${out.force} != ${e.force}`);
  if (e.stage && out.status?.stage !== e.stage) why.push(`stage ${out.status?.stage} != ${e.stage}`);
  if (e.stage_not && out.status?.stage === e.stage_not) why.push(`stage must not be ${e.stage_not}`);
  if (e.note && !out.status?.note) why.push('status.note missing');
  if (e.cite_any && !top.some((t) => e.cite_any?.some((g) => t.includes(norm(g)))))
    why.push(`no citation with any of ${JSON.stringify(e.cite_any)}`);
  for (const [f, st] of Object.entries(e.statuses_include ?? {}))
    if (!(out.statuses ?? []).some((s) => s.force === f && s.stage === st))
      why.push(`statuses lacks ${f}=${st}`);
  for (const [f, st] of Object.entries(e.statuses_exclude ?? {}))
    if ((out.statuses ?? []).some((s) => s.force === f && s.stage === st))
      why.push(`statuses wrongly has ${f}=${st}`);
  return why;
}

interface Subject {
  engine: Engine;
  /** Raw MiniSearch, default options, over every sentence of the articles as they are (furniture too). */
  baseline: (q: string) => string[];
}

async function subjectFor(dir: string, forcesFile: string | undefined, cache: Map<string, Subject>) {
  let subject = cache.get(dir);
  if (!subject) {
    const loaded = await loadKnowledgeFolder(dir, forcesFile ? { forcesFile } : {});
    subject = { engine: createEngine(loaded.articles, loaded.forces), baseline: rawMiniSearch(loaded) };
    cache.set(dir, subject);
  }
  return subject;
}

function rawMiniSearch(loaded: LoadedFolder): (q: string) => string[] {
  const sentences = loaded.articles.flatMap((a) => a.paragraphs.flatMap((p) => segmentSentences(p)));
  const mini = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
  mini.addAll(sentences.map((text, id) => ({ id, text })));
  return (q) =>
    mini
      .search(q)
      .slice(0, 3)
      .map((r) => sentences[r.id as number] ?? '');
}

/** Citation hits and abstentions, the two figures shared/eval/score.mjs reports. */
class Tally {
  cited = 0;
  citable = 0;
  abstained = 0;
  offTopic = 0;
  add(c: EvalCase, answered: boolean, citations: string[]) {
    if (c.expect.cite_any) {
      this.citable++;
      if (citations.some((t) => c.expect.cite_any?.some((g) => norm(t).includes(norm(g))))) this.cited++;
    }
    if (c.expect.answered === false) {
      this.offTopic++;
      if (!answered) this.abstained++;
    }
  }
  toString() {
    return `citation hits ${this.cited}/${this.citable}; abstentions ${this.abstained}/${this.offTopic}`;
  }
}

/** Scores the answer engine on tests/eval/*.json (or the files given) and prints the score. */
async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    const dir = path.resolve('tests/eval');
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
  }
  const subjects = new Map<string, Subject>();
  const ours = new Tally();
  const raw = new Tally();
  let pass = 0;
  let total = 0;
  for (const file of files.sort()) {
    const parsed = fileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    const cases = Array.isArray(parsed) ? parsed : parsed.cases;
    const here = path.dirname(file);
    const dir = Array.isArray(parsed) ? knowledgeDir() : path.resolve(here, parsed.knowledge);
    const forcesFile =
      Array.isArray(parsed) || !parsed.forces ? undefined : path.resolve(here, parsed.forces);
    const { engine, baseline } = await subjectFor(dir, forcesFile, subjects);
    let filePass = 0;
    for (const c of cases) {
      const answer = engine.answer(c.q);
      const why = judge(c, answer);
      const shown = answer.citations.map((x) => x.text);
      ours.add(c, answer.answered, answer.intent === 'ask' ? shown.slice(0, 3) : shown);
      const rawTop = baseline(c.q);
      raw.add(c, rawTop.length > 0, rawTop);
      if (why.length === 0) filePass++;
      else
        process.stdout.write(
          `FAIL ${path.basename(file)} ${c.id} ${JSON.stringify(c.q)}: ${why.join('; ')}\n`,
        );
      if (verbose && why.length === 0) process.stdout.write(`ok   ${path.basename(file)} ${c.id}\n`);
    }
    process.stdout.write(`${path.basename(file)}: ${filePass}/${cases.length}\n`);
    pass += filePass;
    total += cases.length;
  }
  process.stdout.write(`this engine:   ${ours}\nraw MiniSearch: ${raw}\n`);
  process.stdout.write(
    `eval score: ${pass}/${total} cases passed (${((100 * pass) / Math.max(total, 1)).toFixed(1)}%)\n`,
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
