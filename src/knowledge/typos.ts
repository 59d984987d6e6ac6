/** Typo tolerance shared by force matching and question reading, so both forgive the same slips. */

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions); early exit above max. */
export function osaDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] ?? max + 1;
}

/** Typos tolerated in a word of this length: none below 5 letters, 1 up to 7, 2 from 8. */
export function maxTypos(length: number): number {
  if (length < 5) return 0;
  return length < 8 ? 1 : 2;
}

/** Whether `typed` is `word` with at most the typos its length allows ("speical" → "special"). */
export function isTypoOf(typed: string, word: string): boolean {
  const max = maxTypos(Math.min(typed.length, word.length));
  return max > 0 && osaDistance(typed, word, max) <= max;
}
