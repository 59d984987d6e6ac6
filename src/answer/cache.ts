import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { gazetteerFile } from '../knowledge/load.js';
import type { Section } from './snapshot.js';

/**
 * The index cache: a built engine's snapshot sections in one file, keyed by a hash of the knowledge
 * folder's content and of the code that builds it. File layout: a magic line, a JSON header line (the
 * envelope, validated with zod: format, version, key, each section's name, length and SHA-256), then the
 * sections' bytes back to back. Anything that does not match exactly is ignored, never trusted.
 */

/** Bump when the snapshot layout or anything that changes built passages changes without a source edit. */
export const INDEX_VERSION = 2;

const MAGIC = 'police-inspections-bot index cache\n';
const FILE = 'index.bin';

const headerSchema = z.strictObject({
  format: z.literal('police-inspections-bot/index-cache'),
  version: z.literal(INDEX_VERSION),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  /** Set when an article was refused for a future date: the cache is only good on that day. */
  validOn: z.string().nullable(),
  sections: z.array(
    z.strictObject({
      name: z.string().min(1),
      length: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
type Header = z.infer<typeof headerSchema>;

/** Where the cache lives: `INDEX_CACHE_DIR`, else `<knowledge dir>/.cache`. */
export function cacheDir(knowledgeDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.INDEX_CACHE_DIR?.trim() || path.join(knowledgeDir, '.cache'));
}

let codeFingerprint: Promise<string> | undefined;

/** Hash of the pipeline's source (knowledge, search, status, snapshot), so code edits invalidate the cache. */
function fingerprint(): Promise<string> {
  codeFingerprint ??= (async () => {
    const h = createHash('sha256');
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const dir of ['../knowledge', '../search', '.']) {
      const abs = path.join(here, dir);
      const names = (await readdir(abs).catch(() => [] as string[]))
        .filter((n) => /\.[cm]?[jt]s$/.test(n))
        .sort();
      for (const n of names) {
        if (dir === '.' && !/^(?:status|snapshot|cache)\./.test(n)) continue;
        h.update(`${dir}/${n}\0`);
        h.update(await readFile(path.join(abs, n)));
      }
    }
    return h.digest('hex');
  })();
  return codeFingerprint;
}

/**
 * The cache key of a knowledge folder: INDEX_VERSION, the code fingerprint, forces.json and every
 * article file's name and bytes (the same files the loader reads).
 */
export async function knowledgeKey(dir: string, forcesFile = gazetteerFile(dir)): Promise<string> {
  const h = createHash('sha256');
  h.update(`v${INDEX_VERSION}\0${await fingerprint()}\0`);
  h.update(await readFile(forcesFile));
  const articles = path.join(dir, 'articles');
  const names = (await readdir(articles, { withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  for (let i = 0; i < names.length; i += 64) {
    const batch = names.slice(i, i + 64);
    const contents = await Promise.all(batch.map((n) => readFile(path.join(articles, n))));
    batch.forEach((n, j) => {
      const bytes = contents[j] as Buffer;
      h.update(`\0${n}\0${bytes.length}\0`);
      h.update(bytes);
    });
  }
  return h.digest('hex');
}

export type CacheLogger = (message: string) => void;

/** Reads the cache for `key`: its sections, or null (missing, stale, corrupt: logged when not missing). */
export async function readCache(
  dir: string,
  key: string,
  opts: { log?: CacheLogger; today?: string } = {},
): Promise<Section[] | null> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const file = path.join(dir, FILE);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log(`index cache ${file} unreadable, rebuilding: ${err}`);
    return null;
  }
  const bad = (why: string) => {
    log(`index cache ${file} ignored (${why}); rebuilding`);
    return null;
  };
  if (buf.subarray(0, MAGIC.length).toString('utf8') !== MAGIC) return bad('not a cache file');
  const end = buf.indexOf(10, MAGIC.length);
  if (end < 0) return bad('truncated header');
  let header: Header;
  try {
    const parsed = headerSchema.safeParse(JSON.parse(buf.subarray(MAGIC.length, end).toString('utf8')));
    if (!parsed.success) {
      const version = (JSON.parse(buf.subarray(MAGIC.length, end).toString('utf8')) as { version?: unknown })
        ?.version;
      return bad(
        version !== INDEX_VERSION ? `index version ${String(version)}, want ${INDEX_VERSION}` : 'bad header',
      );
    }
    header = parsed.data;
  } catch {
    return bad('header is not JSON');
  }
  if (header.key !== key) return bad('stale: the knowledge folder or code changed');
  if (header.validOn && header.validOn !== (opts.today ?? new Date().toISOString().slice(0, 10)))
    return bad('stale: built on another day with future-dated articles');
  const sections: Section[] = [];
  let at = end + 1;
  for (const s of header.sections) {
    if (at + s.length > buf.length) return bad('truncated');
    const bytes = buf.subarray(at, at + s.length);
    if (createHash('sha256').update(bytes).digest('hex') !== s.sha256)
      return bad(`section ${s.name} corrupt`);
    sections.push({ name: s.name, bytes });
    at += s.length;
  }
  if (at !== buf.length) return bad('trailing bytes');
  return sections;
}

/**
 * Writes the cache atomically: a temporary file in the same folder, fsync, rename over `index.bin`. A
 * reader sees the old file or the new one, never a part.
 */
export async function writeCache(
  dir: string,
  key: string,
  sections: readonly Section[],
  opts: { validOn?: string | null } = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const header: Header = {
    format: 'police-inspections-bot/index-cache',
    version: INDEX_VERSION,
    key,
    createdAt: new Date().toISOString(),
    validOn: opts.validOn ?? null,
    sections: sections.map((s) => ({
      name: s.name,
      length: s.bytes.byteLength,
      sha256: createHash('sha256').update(s.bytes).digest('hex'),
    })),
  };
  const file = path.join(dir, FILE);
  const tmp = path.join(dir, `.${FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.write(`${MAGIC}${JSON.stringify(header)}\n`);
    for (const s of sections) await fh.write(s.bytes);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return file;
}
