/**
 * Telling a server that died during a sweep from one that overflowed: a
 * full accept queue drops SYNs (or resets, with `tcp_abort_on_overflow`),
 * it never refuses them; an RST answering a SYN (ECONNREFUSED) means
 * nothing listened on the port at that instant.
 *
 * @module
 */

import { TargetUnreachableError } from "../base/errors.ts";
import type { Target } from "../base/target.ts";
import { preflight } from "../engine/preflight.ts";
import type { BurstSummary } from "./sweep_result.ts";

/**
 * Whether a burst shows a server that is gone: connects were refused and
 * none completed its handshake. A burst that was partly answered (the server
 * died during it) is only failing; the next one is then refused whole.
 * Interrupted bursts never count.
 *
 * @example
 * ```ts
 * import { isRefusedBurst } from "./server_gone.ts";
 * const burst = { refused: 16, firstSyn: 0, synRetransmitted: 0, interrupted: false };
 * console.assert(isRefusedBurst(burst));
 * console.assert(!isRefusedBurst({ ...burst, refused: 0 })); // timeouts: lost SYNs, not a refusal
 * console.assert(!isRefusedBurst({ ...burst, firstSyn: 3 }));
 * ```
 */
export function isRefusedBurst(
  burst: Pick<BurstSummary, "refused" | "firstSyn" | "synRetransmitted" | "interrupted">,
): boolean {
  return !burst.interrupted && burst.refused > 0 && burst.firstSyn + burst.synRetransmitted === 0;
}

/** Options of {@link answersAgain}. */
export interface AnswersAgainOptions {
  /**
   * Handshake timeout of the check, ms.
   *
   * @default {3000}
   */
  connectTimeoutMs?: number;
  /** Cancels the check (it then counts as not answered). */
  signal?: AbortSignal;
}

/**
 * Connects once to see whether a server that refused a whole burst is back:
 * `true` when the handshake completes (a supervisor restarted it), `false`
 * when it is still refused, times out or is unreachable.
 *
 * @example
 * ```ts
 * import { answersAgain } from "./server_gone.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * console.assert(await answersAgain(server.target));
 * console.assert(!await answersAgain({ hostname: "127.0.0.1", port: 1, label: "127.0.0.1:1" }));
 * ```
 */
export async function answersAgain(
  target: Target,
  options: AnswersAgainOptions = {},
): Promise<boolean> {
  if (options.signal?.aborted) return false;
  try {
    await preflight(target, options);
    return true;
  } catch (error) {
    if (error instanceof TargetUnreachableError || options.signal?.aborted) return false;
    throw error;
  }
}
