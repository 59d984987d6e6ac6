import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes that survive a crash at any instant: a reader sees the old content or the new, never a torn
 * file, and once the promise resolves the change is on disk. Every knowledge-folder write goes through
 * here (articles from /kb add, the audit log, the index cache).
 */

/** fsync a directory so a rename or unlink in it is durable (a no-op where directories can't be opened). */
async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms refuse to open or fsync directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `file` with `bytes` atomically and durably: a dot-named temp file in the same folder (the
 * loader skips dot-files), fsync, rename over the target, fsync the folder.
 *
 * @example await writeFileDurable('knowledge/articles/x.md', bytes)
 */
export async function writeFileDurable(file: string, bytes: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/**
 * Appends one complete line (a newline is added) with a single write in append mode, then fsyncs: a
 * crash leaves the log without the line or with all of it — a torn tail can only be the last line of a
 * file written by something else, and readers skip it.
 */
export async function appendLineDurable(file: string, line: string): Promise<void> {
  if (line.includes('\n')) throw new Error('appendLineDurable: a line must not contain a newline');
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'a');
  try {
    await handle.write(`${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Deletes `file` (if present) and makes the deletion durable. */
export async function removeFileDurable(file: string): Promise<void> {
  await rm(file, { force: true });
  await syncDir(path.dirname(file));
}
