import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine } from '../../src/answer/compose.js';
import { type Article, type Force, forcesFileSchema } from '../../src/knowledge/schema.js';

/** The bundled gazetteer, read once for all tests. */
export const FORCES: Force[] = forcesFileSchema.parse(
  JSON.parse(readFileSync(fileURLToPath(new URL('../../knowledge/forces.json', import.meta.url)), 'utf8')),
);

/** Where the bundled knowledge lives, for tests that load the real folder. */
export const KNOWLEDGE_DIR = fileURLToPath(new URL('../../knowledge', import.meta.url));

/** A short article written inside a test: only what matters to that test, the rest defaulted. */
export interface TestArticle {
  id: string;
  published: string;
  body: string;
  publisher?: string;
  title?: string;
  url?: string;
  author?: string;
}

/** Builds an article as the loader would (one paragraph per non-blank line). */
export function article(a: TestArticle): Article {
  return {
    id: a.id,
    title: a.title ?? `Test article ${a.id}`,
    publisher: a.publisher ?? 'Test Gazette',
    published: a.published,
    ...(a.url ? { url: a.url } : {}),
    ...(a.author ? { author: a.author } : {}),
    file: `articles/${a.id}.md`,
    paragraphs: a.body
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  };
}

/** An engine over articles written in the test, with the real gazetteer. */
export function engineOf(...articles: TestArticle[]): Engine {
  return createEngine(articles.map(article), FORCES);
}
