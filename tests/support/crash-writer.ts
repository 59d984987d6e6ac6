/**
 * A child process for the crash-safety test: it changes the knowledge folder as moderators would (add,
 * replace, remove articles; append to the audit log; rebuild and cache the index) in a loop until it is
 * killed. Usage: tsx tests/support/crash-writer.ts <knowledgeDir> <auditFile>
 */

import { KnowledgeHolder } from '../../src/answer/holder.js';
import { AuditLog } from '../../src/discord/audit.js';

const [dir, auditFile] = process.argv.slice(2);
if (!dir || !auditFile) throw new Error('usage: crash-writer <knowledgeDir> <auditFile>');

const holder = await KnowledgeHolder.open(dir);
const audit = new AuditLog(auditFile);
process.stdout.write('ready\n');

for (let n = 0; ; n++) {
  const id = `crash-test-${n % 4}`;
  if (n % 3 === 2) await holder.remove(id, 'crash');
  else {
    const body = Array.from(
      { length: 50 + (n % 7) * 20 },
      (_, i) => `Kent Police has been placed in special measures, report ${n}.${i} said.`,
    );
    const text = `---\nid: ${id}\ntitle: Crash test ${n}\npublisher: Test\npublished: 2024-01-0${1 + (n % 9)}\n---\n${body.join('\n')}\n`;
    await holder.add(id, new TextEncoder().encode(text), 'crash');
  }
  await audit.append({
    action: 'add',
    ok: true,
    userId: '1',
    userTag: 'crash',
    guildId: null,
    articleId: id,
    detail: 'x'.repeat(n % 500),
  });
}
