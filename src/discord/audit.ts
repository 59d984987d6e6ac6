import { readFile } from 'node:fs/promises';
import { appendLineDurable } from '../knowledge/durable.js';

/** One line of the append-only audit log: who changed the knowledge base, what, when. */
export interface AuditEntry {
  at: string;
  action: 'refresh' | 'add' | 'remove';
  ok: boolean;
  userId: string;
  userTag: string;
  guildId: string | null;
  articleId?: string;
  /** Short outcome, e.g. "12 passages, 2 forces" or the first error. */
  detail?: string;
}

/** Appends JSON lines to a file that is never rewritten; reads the newest entries for /kb history. */
export class AuditLog {
  constructor(readonly file: string) {}

  async append(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<AuditEntry> {
    const full: AuditEntry = { at: entry.at ?? new Date().toISOString(), ...entry } as AuditEntry;
    await appendLineDurable(this.file, JSON.stringify(full));
    return full;
  }

  /** Newest first; lines that are not valid entries (a torn write, a hand edit) are skipped. */
  async recent(limit = 15): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: AuditEntry[] = [];
    const lines = text.split('\n');
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = lines[i]?.trim();
      if (!line) continue;
      try {
        const e = JSON.parse(line) as AuditEntry;
        if (typeof e.at === 'string' && typeof e.action === 'string' && typeof e.userId === 'string')
          out.push(e);
      } catch {
        // skip
      }
    }
    return out;
  }
}
