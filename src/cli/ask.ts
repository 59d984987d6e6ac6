import { createInterface } from 'node:readline';
import dotenv from 'dotenv';
import { openKnowledge } from '../answer/open.js';
import { renderText } from '../render/text.js';
import { reportIssues } from './issues.js';

const USAGE = `usage: npm run ask -- [--json] "<question or /command>"
       npm run ask -- --jsonl < questions.txt

  /status <force>     is a force in Engage ("special measures")?
  /findings <force>   what inspectors found
  /responses <force>  what the force said
  /forces             every force with evidence and its stage
  /sources            the articles, newest first
  anything else       a free-text question

  --json   print one JSON object
  --jsonl  read questions from stdin, one per line; write one JSON line per input line
  KNOWLEDGE_DIR       knowledge folder (default ./knowledge)`;

/** The offline front end: the same answers as the bot, as text or JSON. */
async function main(argv: string[]): Promise<number> {
  // The same settings as the bot (KNOWLEDGE_DIR, GAPS_PATH…), so both work on one knowledge folder.
  dotenv.config({ quiet: true });
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const words = argv.filter((a) => !a.startsWith('--'));
  if (flags.has('--help') || (!flags.has('--jsonl') && words.length === 0)) {
    process.stderr.write(`${USAGE}\n`);
    return words.length === 0 && !flags.has('--help') ? 2 : 0;
  }
  const unknown = [...flags].filter((f) => !['--json', '--jsonl', '--help'].includes(f));
  if (unknown.length) {
    process.stderr.write(`unknown option ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const { engine, issues } = await openKnowledge();
  reportIssues(issues);
  if (flags.has('--jsonl')) {
    const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) process.stdout.write(`${JSON.stringify(engine.answer(line.trim()))}\n`);
    return 0;
  }
  const answer = engine.answer(words.join(' '));
  process.stdout.write(
    flags.has('--json') ? `${JSON.stringify(answer, null, 2)}\n` : `${renderText(answer)}\n`,
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
