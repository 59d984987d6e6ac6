import type { KnowledgeBase } from '../knowledge/build.js';

const POLICING = /\b(?:police|policing|constabulary|hmic(?:frs)?|chief constable|officers?)\b/i;
const policingCache = new WeakMap<KnowledgeBase, Set<string>>();

/** Articles about policing: some sentence names a force or speaks of police. Worked out once per knowledge base. */
export function policingArticles(kb: KnowledgeBase): Set<string> {
  let ids = policingCache.get(kb);
  if (!ids) {
    ids = new Set(
      kb.passages.filter((p) => p.named.length > 0 || POLICING.test(p.text)).map((p) => p.articleId),
    );
    policingCache.set(kb, ids);
  }
  return ids;
}
