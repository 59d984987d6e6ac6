import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createEngine, type Engine } from '../answer/compose.js';
import type { Answer } from '../answer/types.js';
import { knowledgeDir, loadKnowledgeFolder } from '../knowledge/load.js';

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

async function engineFor(
  dir: string,
  forcesFile: string | undefined,
  cache: Map<string, Engine>,
): Promise<Engine> {
  let engine = cache.get(dir);
  if (!engine) {
    const loaded = await loadKnowledgeFolder(dir, forcesFile ? { forcesFile } : {});
    engine = createEngine(loaded.articles, loaded.forces);
    cache.set(dir, engine);
  }
  return engine;
}

/** Scores the answer engine on tests/eval/*.json (or the files given) and prints the score. */
async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  let files = argv.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    const dir = path.resolve('tests/eval');
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));
  }
  const engines = new Map<string, Engine>();
  let pass = 0;
  let total = 0;
  for (const file of files.sort()) {
    const parsed = fileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    const cases = Array.isArray(parsed) ? parsed : parsed.cases;
    const here = path.dirname(file);
    const dir = Array.isArray(parsed) ? knowledgeDir() : path.resolve(here, parsed.knowledge);
    const forcesFile =
      Array.isArray(parsed) || !parsed.forces ? undefined : path.resolve(here, parsed.forces);
    const engine = await engineFor(dir, forcesFile, engines);
    let filePass = 0;
    for (const c of cases) {
      const why = judge(c, engine.answer(c.q));
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
