/** Levenshtein distance, bounded to the lengths involved (ids are short). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` candidates closest to `query`: substring matches first, then by edit distance,
 * keeping only those within a third of the query's length.
 */
export function suggest(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = query.toLowerCase();
  const scored = candidates.map((c) => {
    const lc = c.toLowerCase();
    const name = lc.split('/').pop() ?? lc;
    const qn = q.split('/').pop() ?? q;
    const sub = lc.includes(q) || name.includes(qn) || qn.includes(name);
    return { c, d: sub ? 0 : Math.min(distance(q, lc), distance(qn, name)) };
  });
  const max = Math.max(2, Math.floor(q.length / 3));
  return scored
    .filter((s) => s.d <= max)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, limit)
    .map((s) => s.c);
}
