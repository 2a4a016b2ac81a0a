/**
 * The idle-timeout probe: opens connections, sends nothing, and waits for
 * the server to drop them, noting when and how (FIN or RST), or that it kept
 * them past the bound.
 *
 * @module
 */

import { errnoOf } from "../base/errno.ts";
import { RESET_ERRNOS } from "./outcome.ts";
import type { Target } from "../base/target.ts";

/** Options of {@link probeIdleTimeout}. */
export interface IdleProbeOptions {
  /**
   * Idle connections to hold, at most {@link MAX_IDLE_CONNECTIONS}: each
   * keeps a read pending on this event loop.
   *
   * @default {10}
   */
  connections?: number;
  /**
   * Stop waiting after this long, ms.
   *
   * @default {30000}
   */
  boundMs?: number;
  /**
   * Handshake timeout, ms.
   *
   * @default {3000}
   */
  connectTimeoutMs?: number;
  /** Stops the probe early; what was seen so far is returned. */
  signal?: AbortSignal;
}

/**
 * Most connections one probe holds. Each keeps a read pending, and one
 * Deno event loop with more than 128 operations in flight stalls the rest
 * (docs/tcp-facts.md): 100 leaves room for the timers and the main thread's own work.
 */
export const MAX_IDLE_CONNECTIONS = 100;

/** How one idle connection ended. */
export type IdleEnd = "fin" | "reset" | "open" | "error";

/** What the idle probe saw. Times are ms after the handshake. */
export interface IdleProbeResult {
  /** Connections asked for. */
  connections: number;
  /** Connections that completed the handshake. */
  opened: number;
  /** Connects that failed, by errno. */
  connectErrors: Record<string, number>;
  /** The bound, ms. */
  boundMs: number;
  /** How long the probe ran, ms. */
  elapsedMs: number;
  /** Whether the probe was stopped by its signal. */
  interrupted: boolean;
  /** Drop times of connections the server closed with a FIN, sorted. */
  finAfterMs: number[];
  /** Drop times of connections the server reset, sorted. */
  resetAfterMs: number[];
  /** Connections still open at the bound (or when stopped). */
  stillOpen: number;
  /** Connections that ended with another error, by errno. */
  otherErrors: Record<string, number>;
}

/**
 * Holds idle connections to `target` and records how the server drops them.
 * Returns early once every connection has ended. Never throws for network
 * errors: they are counted in the result. Every socket is closed before the
 * promise resolves.
 *
 * @example
 * ```ts
 * import { probeIdleTimeout } from "./idle_probe.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 200 });
 * const result = await probeIdleTimeout(server.target, { connections: 2, boundMs: 3000 });
 * console.assert(result.finAfterMs.length === 2 && result.stillOpen === 0);
 * console.assert(result.finAfterMs.every((ms) => ms >= 150 && ms < 3000));
 * ```
 */
export async function probeIdleTimeout(
  target: Target,
  options: IdleProbeOptions = {},
): Promise<IdleProbeResult> {
  const connections = Math.min(options.connections ?? 10, MAX_IDLE_CONNECTIONS);
  const boundMs = options.boundMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const start = performance.now();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const bound = setTimeout(() => stop.abort(), boundMs);

  const connectErrors: Record<string, number> = {};
  const otherErrors: Record<string, number> = {};
  const finAfterMs: number[] = [];
  const resetAfterMs: number[] = [];
  let opened = 0;
  let stillOpen = 0;

  const one = async () => {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({
        hostname: target.hostname,
        port: target.port,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(connectTimeoutMs)]),
      });
    } catch (error) {
      const errno = errnoOf(error);
      connectErrors[errno] = (connectErrors[errno] ?? 0) + 1;
      return;
    }
    opened++;
    const connectedAt = performance.now();
    const onStop = () => {
      try {
        conn.close();
      } catch { /* closed */ }
    };
    stop.signal.addEventListener("abort", onStop, { once: true });
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        // An idle probe sends nothing; a server that greets (SMTP, SSH) is read and ignored.
        if (await conn.read(buffer) === null) {
          finAfterMs.push(performance.now() - connectedAt);
          break;
        }
      }
    } catch (error) {
      const errno = errnoOf(error);
      if (stop.signal.aborted && errno === "EINTR") stillOpen++;
      else if (RESET_ERRNOS.has(errno)) resetAfterMs.push(performance.now() - connectedAt);
      else otherErrors[errno] = (otherErrors[errno] ?? 0) + 1;
    } finally {
      stop.signal.removeEventListener("abort", onStop);
      try {
        conn.close();
      } catch { /* closed by onStop */ }
    }
  };

  try {
    await Promise.all(Array.from({ length: connections }, one));
  } finally {
    clearTimeout(bound);
    options.signal?.removeEventListener("abort", onAbort);
  }
  const round = (values: number[]) => values.map(Math.round).sort((a, b) => a - b);
  return {
    connections,
    opened,
    connectErrors,
    boundMs,
    elapsedMs: Math.round(performance.now() - start),
    interrupted: options.signal?.aborted ?? false,
    finAfterMs: round(finAfterMs),
    resetAfterMs: round(resetAfterMs),
    stillOpen,
    otherErrors,
  };
}
