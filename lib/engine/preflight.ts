/**
 * One connect before a run, so an unreachable target gets one clear line
 * (exit 3) instead of thousands of failed sessions, and synfin's own limits
 * one line of their own (exit 4). A server that completes the handshake and
 * then resets is reachable: the run goes on and reports the resets.
 *
 * @module
 */

import { TargetUnreachableError, TesterLimitError } from "../base/errors.ts";
import { describeError, errnoOf } from "../base/errno.ts";
import type { Target } from "../base/target.ts";
import { RESET_ERRNOS, TESTER_LIMIT_ERRNOS } from "./outcome.ts";

/** What to do about a failed connect, per errno; its words are describeError's. */
const ERRNO_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "is the server running and listening on this port?",
  ETIMEDOUT: "is a firewall dropping SYNs, or the accept queue full?",
  ENOTFOUND: "check the spelling or use an IP address",
  ENETUNREACH: "check the address and routes",
  EHOSTUNREACH: "check the address and routes",
  EACCES: "run with `deno run -P` (or --allow-net)",
};

/** synfin's own resources, per errno: what ran out and what to do. */
const TESTER_LIMIT_WORDS: Readonly<Record<string, string>> = {
  EADDRNOTAVAIL: "synfin has no free local port (EADDRNOTAVAIL); widen " +
    "net.ipv4.ip_local_port_range or wait for synfin's TIME_WAIT sockets to expire",
  EMFILE: "synfin is out of file descriptors (EMFILE); raise `ulimit -n`",
  ENFILE: "the system is out of file descriptors (ENFILE); raise fs.file-max or close files",
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
 * The target is reachable: its handshake completed. `completed-then-reset`:
 * the server's RST arrived before `Deno.connect` returned (a server that
 * resets at accept); the run will show the resets.
 */
export interface PreflightResult {
  /** How the handshake went. */
  handshake: "completed" | "completed-then-reset";
}

/**
 * What a connect that failed with `errno` says about the target:
 *
 * - `completed-then-reset`: the handshake completed and the server then
 *   reset (ECONNRESET, EPIPE, ECONNABORTED) or its end was already gone
 *   (ENOTCONN): a refused SYN is ECONNREFUSED, so these come only from an
 *   established connection, read by `Deno.connect` (SO_ERROR, then
 *   getpeername) after the kernel finished the handshake;
 * - `tester-limit`: synfin ran out of file descriptors or local ports
 *   before a SYN left (EMFILE, ENFILE, EADDRNOTAVAIL, ENOBUFS, ENOMEM);
 * - `unreachable`: anything else: refused, unresolvable, timed out, no route.
 *
 * @example
 * ```ts
 * import { connectFailureKind } from "./preflight.ts";
 * console.assert(connectFailureKind("ECONNRESET") === "completed-then-reset");
 * console.assert(connectFailureKind("EADDRNOTAVAIL") === "tester-limit");
 * console.assert(connectFailureKind("ECONNREFUSED") === "unreachable");
 * ```
 */
export function connectFailureKind(
  errno: string,
): "completed-then-reset" | "tester-limit" | "unreachable" {
  if (RESET_ERRNOS.has(errno) || errno === "ENOTCONN") return "completed-then-reset";
  if (TESTER_LIMIT_ERRNOS.has(errno)) return "tester-limit";
  return "unreachable";
}

/**
 * Connects once and closes. Throws a {@link TargetUnreachableError} with a
 * one-line message when the target cannot be reached (refused, unresolvable,
 * timed out), a {@link TesterLimitError} when synfin had no file descriptor
 * or local port to connect with; resolves when the handshake completed, even
 * if the server reset the connection at once.
 *
 * @example
 * ```ts
 * import { preflight } from "./preflight.ts";
 * import { TargetUnreachableError } from "../base/errors.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const { handshake } = await preflight(server.target); // reachable: resolves
 * console.assert(handshake === "completed");
 * try {
 *   await preflight({ hostname: "127.0.0.1", port: 1, label: "127.0.0.1:1" });
 * } catch (error) {
 *   // "Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED); is the server ..."
 *   console.assert(error instanceof TargetUnreachableError && error.errno === "ECONNREFUSED");
 * }
 * ```
 */
export async function preflight(
  target: Target,
  options: PreflightOptions = {},
): Promise<PreflightResult> {
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
    // An abort is the caller's; never read it as the server's reset.
    const kind = options.signal?.aborted ? "unreachable" : connectFailureKind(errno);
    if (kind === "completed-then-reset") return { handshake: "completed-then-reset" };
    if (kind === "tester-limit") {
      const words = TESTER_LIMIT_WORDS[errno] ??
        `synfin is out of memory for sockets (${errno}); lower the load`;
      throw new TesterLimitError(`Cannot connect to ${target.label}: tester limit: ${words}`, {
        errno,
        cause: error,
      });
    }
    const verb = errno === "ENOTFOUND" ? "resolve" : "connect to";
    const hint = ERRNO_HINTS[errno] ?? "check the target";
    throw new TargetUnreachableError(
      `Cannot ${verb} ${target.label}: ${describeError(error, "--allow-net")}; ${hint}`,
      { errno, cause: error },
    );
  }
  conn.close();
  return { handshake: "completed" };
}
