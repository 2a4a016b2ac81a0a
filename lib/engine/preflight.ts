/**
 * One connect before a run, so an unreachable target gets one clear line
 * (exit 3) instead of thousands of failed sessions.
 *
 * @module
 */

import { TargetUnreachableError } from "../base/errors.ts";
import { describeError, errnoOf } from "../base/errno.ts";
import type { Target } from "../base/target.ts";

/** What to do about a failed connect, per errno; its words are describeError's. */
const ERRNO_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "is the server running and listening on this port?",
  ETIMEDOUT: "is a firewall dropping SYNs, or the accept queue full?",
  ENOTFOUND: "check the spelling or use an IP address",
  ENETUNREACH: "check the address and routes",
  EHOSTUNREACH: "check the address and routes",
  EADDRNOTAVAIL: "no local address can reach it",
  EACCES: "run with `deno run -P` (or --allow-net)",
};

/** Options of {@link preflight}. */
export interface PreflightOptions {
  /**
   * Handshake timeout, ms.
   *
   * @default {3000}
   */
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
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * await preflight(server.target); // reachable: resolves
 * try {
 *   await preflight({ hostname: "127.0.0.1", port: 1, label: "127.0.0.1:1" });
 * } catch (error) {
 *   // "Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED); is the server ..."
 *   console.assert(error instanceof TargetUnreachableError && error.errno === "ECONNREFUSED");
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
    const hint = ERRNO_HINTS[errno] ?? "check the target";
    throw new TargetUnreachableError(
      `Cannot ${verb} ${target.label}: ${describeError(error, "--allow-net")}; ${hint}`,
      { errno, cause: error },
    );
  }
  conn.close();
}
