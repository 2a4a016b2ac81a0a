/**
 * "Did you mean": the known name nearest to a mistyped one, for the one-line
 * usage errors of unknown commands and metrics.
 *
 * @module
 */

// Edit distance from npm's fastest-levenshtein rather than a hand-written one.
import { distance as levenshtein } from "fastest-levenshtein";

/**
 * The candidate nearest to `word`: one that differs only in case and
 * punctuation, else the nearest by edit distance (case ignored), or
 * `undefined` when none is close: more than a third of the word's letters,
 * or 3, would have to change.
 *
 * @example
 * ```ts
 * import { closest } from "./closest.ts";
 * console.assert(closest("handshake.p999", ["handshake.p99", "handshake.p99.9"]) === "handshake.p99.9");
 * console.assert(closest("server.closewait", ["server.closeWait"]) === "server.closeWait");
 * console.assert(closest("frob", ["check", "load"]) === undefined);
 * ```
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // Same letters and digits but for case and punctuation (p999 for p99.9):
  // that reading wins over any other at the same distance.
  const bare = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, "");
  const same = candidates.find((candidate) => bare(candidate) === bare(word));
  if (same !== undefined) return same;
  const limit = Math.min(3, Math.max(1, Math.ceil(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= limit ? best : undefined;
}
