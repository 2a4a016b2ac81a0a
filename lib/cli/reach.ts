/**
 * The preflight connect every command makes before its run, so an
 * unreachable target is one line and exit 3, not a report of failures.
 *
 * @module
 */

import { TargetUnreachableError } from "../base/errors.ts";
import { EXIT } from "../base/exit_codes.ts";
import type { Target } from "../base/target.ts";
import { preflight } from "../engine/preflight.ts";
import { say } from "./output.ts";

/**
 * Connects to `target` once: `undefined` when it answered, else the exit
 * code to return (after saying why). Errors other than an unreachable
 * target are thrown.
 *
 * @example
 * ```ts
 * import { reach } from "./reach.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * console.assert(await reach(server.target, 1000, new AbortController().signal) === undefined);
 * ```
 */
export async function reach(
  target: Target,
  connectTimeoutMs: number | undefined,
  signal: AbortSignal,
): Promise<number | undefined> {
  try {
    await preflight(target, { connectTimeoutMs, signal });
    return undefined;
  } catch (error) {
    if (signal.aborted) return EXIT.interrupted;
    if (error instanceof TargetUnreachableError) {
      say(error.message);
      return EXIT.unreachable;
    }
    throw error;
  }
}
