/**
 * Checks, as k6's: `check(name, condition)` records a pass or a fail and
 * never throws. Sessions of one event loop share one registry, kept on
 * `globalThis` under a registered symbol, so a scenario that imports
 * `check` through another URL of synfin (a copy, the package) still
 * records into the same one.
 *
 * @module
 */

import type { Tags } from "./session_api.ts";

/** Passes and fails of one check (one name and tag set). */
export interface CheckCount {
  /** The check's name. */
  name: string;
  /** Its tags, when it has any. */
  tags?: Tags;
  /** Times the condition held. */
  passes: number;
  /** Times it did not. */
  fails: number;
}

const REGISTRY = Symbol.for("synfin.checks");

type Registry = Map<string, CheckCount>;

function registry(): Registry {
  const scope = globalThis as unknown as Record<symbol, Registry | undefined>;
  return scope[REGISTRY] ??= new Map();
}

/**
 * The key of a name and its tags, as thresholds name them:
 * `login{region:eu}`, tags sorted.
 *
 * @example
 * ```ts
 * import { seriesKey } from "./checks.ts";
 * console.assert(seriesKey("login", { region: "eu", a: "1" }) === "login{a:1,region:eu}");
 * console.assert(seriesKey("login") === "login");
 * ```
 */
export function seriesKey(name: string, tags?: Tags): string {
  const entries = Object.entries(tags ?? {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([k, v]) => `${k}:${v}`).join(",")}}`;
}

/**
 * Records whether `condition` held for the check `name`, and returns it.
 * Never throws: a failed check is counted, and thresholds (`checks>99%`,
 * `check.pong>99%`) decide what it means for the run.
 *
 * @example
 * ```ts
 * import { check, takeChecks } from "./checks.ts";
 * takeChecks();
 * check("pong", true);
 * check("pong", false);
 * const [pong] = takeChecks();
 * console.assert(pong.passes === 1 && pong.fails === 1);
 * ```
 */
export function check(name: string, condition: boolean, tags?: Tags): boolean {
  const key = seriesKey(name, tags);
  const counts = registry();
  let count = counts.get(key);
  if (!count) {
    count = tags && Object.keys(tags).length > 0
      ? { name, tags: { ...tags }, passes: 0, fails: 0 }
      : { name, passes: 0, fails: 0 };
    counts.set(key, count);
  }
  if (condition) count.passes++;
  else count.fails++;
  return condition;
}

/**
 * Returns the checks recorded in this event loop since the last call, and
 * starts over (a worker sends them with its tally).
 *
 * @example
 * ```ts
 * import { check, takeChecks } from "./checks.ts";
 * check("x", true);
 * console.assert(takeChecks().length >= 1 && takeChecks().length === 0);
 * ```
 */
export function takeChecks(): CheckCount[] {
  const counts = registry();
  const taken = [...counts.values()];
  counts.clear();
  return taken;
}

/**
 * Adds `more` into `into`, check by check (name and tags).
 *
 * @example
 * ```ts
 * import { mergeChecks } from "./checks.ts";
 * const merged = mergeChecks([{ name: "a", passes: 1, fails: 0 }], [{ name: "a", passes: 2, fails: 1 }]);
 * console.assert(merged[0].passes === 3 && merged[0].fails === 1);
 * ```
 */
export function mergeChecks(
  into: readonly CheckCount[],
  more: readonly CheckCount[],
): CheckCount[] {
  const byKey = new Map(into.map((c) => [seriesKey(c.name, c.tags), { ...c }]));
  for (const c of more) {
    const key = seriesKey(c.name, c.tags);
    const have = byKey.get(key);
    if (have) {
      have.passes += c.passes;
      have.fails += c.fails;
    } else byKey.set(key, { ...c });
  }
  return [...byKey.values()];
}
