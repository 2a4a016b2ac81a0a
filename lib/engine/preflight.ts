/**
 * One connect before a run, so an unreachable target gets one clear line
 * (exit 3) instead of thousands of failed sessions.
 *
 * @module
 */

import { TargetUnreachableError } from "../base/errors.ts";
import { errnoOf } from "../base/errno.ts";
import type { Target } from "../base/target.ts";

/** What went wrong, and what to do about it, per errno. */
const ERRNO_TEXT: Record<string, [what: string, hint: string]> = {
  ECONNREFUSED: ["connection refused", "is the server running and listening on this port?"],
  ETIMEDOUT: ["handshake timed out", "is a firewall dropping SYNs, or the accept queue full?"],
  ENOTFOUND: ["host name not found", "check the spelling or use an IP address"],
  ENETUNREACH: ["network unreachable", "check the address and routes"],
  EHOSTUNREACH: ["host unreachable", "check the address and routes"],
  EADDRNOTAVAIL: ["address not available", "no local address can reach it"],
  EACCES: ["permission denied", "run with `deno run -P` (or --allow-net)"],
};

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /** Handshake timeout. Default 3000 ms. */
  connectTimeoutMs?: number;
  /** Cancels the attempt. */
  signal?: AbortSignal;
}

/**
 * Connects once and closes; throws a {@link TargetUnreachableError} with a
 * one-line message when the target cannot be reached.
 *
 * @example
 * ```ts
 * import { preflight } from "./preflight.ts";
 * import { TargetUnreachableError } from "../base/errors.ts";
 * try {
 *   await preflight({ hostname: "127.0.0.1", port: 1, label: "127.0.0.1:1" });
 * } catch (error) {
 *   console.assert(error instanceof TargetUnreachableError);
 *   // "Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED); ..."
 * }
 * ```
 */
export async function preflight(target: Target, options: PreflightOptions = {}): Promise<void> {
  const timeout = AbortSignal.timeout(options.connectTimeoutMs ?? 3000);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({
      hostname: target.hostname,
      port: target.port,
      signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
    });
  } catch (error) {
    const errno = errnoOf(error);
    const verb = errno === "ENOTFOUND" ? "resolve" : "connect to";
    const [what, hint] = ERRNO_TEXT[errno] ??
      [error instanceof Error ? error.message : String(error), "check the target"];
    throw new TargetUnreachableError(
      `Cannot ${verb} ${target.label}: ${what} (${errno}); ${hint}`,
      {
        errno,
        cause: error,
      },
    );
  }
  conn.close();
}
