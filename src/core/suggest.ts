/**
 * "Did you mean …?" for names a user typed: flags, commands, pipeline fields. One rule for how
 * close a typo must be, so every suggestion in weblog behaves the same.
 */

/**
 * Optimal string alignment distance, case-insensitive: insertions, deletions, substitutions and
 * swaps of two neighbours cost 1 each (`fromat` → `format` is one swap, not two substitutions).
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev2: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The known name closest to `typed`, or null when none is close enough to be a typo of it (at
 * most one edit per three characters of the known name, and at least one allowed).
 */
export function closest(typed: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(typed, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}
