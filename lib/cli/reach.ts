/**
 * The preflight connect every command makes before its run, so an
 * unreachable target is one line and exit 3, synfin's own fd or port limit
 * one line and exit 4, not a report of failures. A server that completes
 * the handshake and then resets is reachable: the run goes on.
 *
 * @module
 */

import { TargetUnreachableError, TesterLimitError } from "../base/errors.ts";
import { EXIT } from "../base/exit_codes.ts";
import type { Target } from "../base/target.ts";
import { preflight } from "../engine/preflight.ts";
import { fullAcceptQueue } from "./full_accept_queue.ts";
import { say } from "./output.ts";

/**
 * Connects to `target` once: `undefined` when its handshake completed (even
 * if the server reset the connection at once) or when the connect timed out
 * on a local listener whose accept queue is full (the server is there and
 * failing), else the exit code to return
 * after saying why: 3 when unreachable, 4 when synfin had no file descriptor
 * or local port, 130 when interrupted. Other errors are thrown.
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
      const full = error.errno === "ETIMEDOUT" ? await fullAcceptQueue(target) : undefined;
      if (full !== undefined) {
        say(
          `${target.label} listens, but its accept queue is full (${full.queued} queued, ` +
            `backlog ${full.backlog}): the server is not calling accept(); running anyway`,
        );
        return undefined;
      }
      say(error.message);
      return EXIT.unreachable;
    }
    if (error instanceof TesterLimitError) {
      say(error.message);
      return EXIT.testerLimit;
    }
    throw error;
  }
}
