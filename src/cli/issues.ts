import type { KnowledgeIssue } from '../knowledge/parse.js';

/** One line per problem, naming the file: "error articles/x.md (published): …". */
export function formatIssue(i: KnowledgeIssue): string {
  return `${i.severity} ${i.file}${i.field ? ` (${i.field})` : ''}: ${i.message}`;
}

/** Warns on stderr about files left out, without stopping the answer. */
export function reportIssues(
  issues: readonly KnowledgeIssue[],
  stream: NodeJS.WritableStream = process.stderr,
): void {
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (issues.length === 0) return;
  for (const i of issues.slice(0, 20)) stream.write(`${formatIssue(i)}\n`);
  if (issues.length > 20) stream.write(`… and ${issues.length - 20} more (npm run kb -- check)\n`);
  if (errors) stream.write(`${errors} file problem(s): answering from the valid articles only.\n`);
}
