/** Which known word a typo most likely meant (config keys, template placeholders). */

/** Edits (insert, delete, substitute, swap two neighbours) from a to b, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate a typo most likely meant, or undefined when none is close: within a
 * third of the longer word's length in edits (at least 1), or one a prefix of the other
 * (`settleSeconds` → `settleS`).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    const limit = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    const lower = [word.toLowerCase(), candidate.toLowerCase()];
    const prefix = Math.min(word.length, candidate.length) >= 4 && (lower[0]!.startsWith(lower[1]!) || lower[1]!.startsWith(lower[0]!));
    if (distance > limit && !prefix) continue;
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}
