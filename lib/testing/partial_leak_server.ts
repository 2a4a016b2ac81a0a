/**
 * A server that leaks some of its connections: it echoes and closes after
 * EOF, except every `leakEvery`-th connection, whose handler forgets to close
 * (the socket stays in CLOSE_WAIT). It can also hold its first `leakFirst`
 * connections the same way, standing for CLOSE_WAIT sockets an earlier run
 * left behind, so that a census sees old and new CLOSE_WAIT side by side.
 *
 * @module
 */

import type { Target } from "../base/target.ts";
import { acceptNext } from "./accept_next.ts";
import { listenBelowEphemeral } from "./reference_servers.ts";
import { targetOf } from "./ports.ts";

/** Options of {@link startPartialLeakServer}. */
export interface PartialLeakServerOptions {
  /**
   * Address to listen on.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Port; by default a free port in 20000-32767. */
  port?: number;
  /**
   * Listen backlog.
   *
   * @default {4096}
   */
  backlog?: number;
  /**
   * After the first `leakFirst`, connection number `leakEvery`, `2 * leakEvery`,
   * ... (counted from 1 in accept order) is never closed after EOF.
   *
   * @default {10}
   */
  leakEvery?: number;
  /**
   * The first this many connections are never closed after EOF either.
   *
   * @default {0}
   */
  leakFirst?: number;
}

/** A running partial-leak server. */
export interface PartialLeakServer extends AsyncDisposable {
  /** Where it listens. */
  readonly target: Target;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections whose handler saw EOF and did not close (left in CLOSE_WAIT). */
  readonly leaked: number;
  /** Stops listening and closes every connection, the leaked ones too. */
  close(): Promise<void>;
}

/**
 * Starts a server that leaks one connection in `leakEvery` (after the first
 * `leakFirst`, which it all leaks).
 *
 * @example
 * ```ts
 * import { startPartialLeakServer } from "./partial_leak_server.ts";
 * await using server = await startPartialLeakServer({ leakEvery: 2 });
 * const { port } = server.target;
 * for (let i = 0; i < 4; i++) {
 *   const conn = await Deno.connect({ hostname: "127.0.0.1", port });
 *   await conn.closeWrite();
 *   await new Promise((resolve) => setTimeout(resolve, 50));
 *   conn.close();
 * }
 * console.assert(server.accepted === 4 && server.leaked === 2);
 * ```
 */
export function startPartialLeakServer(
  options: PartialLeakServerOptions = {},
): Promise<PartialLeakServer> {
  const { hostname = "127.0.0.1", backlog = 4096, leakEvery = 10, leakFirst = 0 } = options;
  if (!Number.isInteger(leakEvery) || leakEvery < 1) {
    throw new RangeError(`Invalid leakEvery ${leakEvery}: use an integer of 1 or more`);
  }
  const listener = listenBelowEphemeral({ hostname, backlog, port: options.port });
  const conns = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let accepted = 0;
  let leaked = 0;
  let closing = false;

  const serve = async (conn: Deno.TcpConn, leaks: boolean) => {
    conns.add(conn);
    try {
      const buffer = new Uint8Array(16 * 1024);
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        let offset = 0;
        while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
      }
      if (leaks) {
        // The bug under test: this handler saw EOF and forgot to close.
        leaked++;
        await new Promise<void>((resolve) =>
          shutdown.signal.addEventListener("abort", () => resolve(), { once: true })
        );
      }
    } catch {
      // A peer's reset (a reused port's SYN resets a CLOSE_WAIT) or our shutdown.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* closed by shutdown */ }
    }
  };

  const acceptLoop = (async () => {
    while (true) {
      const conn = await acceptNext(listener, () => closing);
      if (conn === undefined) return;
      accepted++;
      const leaks = accepted <= leakFirst || (accepted - leakFirst) % leakEvery === 0;
      const handler = serve(conn, leaks);
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
    }
  })();

  const close = async () => {
    if (closing) return;
    closing = true;
    shutdown.abort();
    try {
      listener.close();
    } catch { /* closed */ }
    for (const conn of conns) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
    await acceptLoop.catch(() => {});
    await Promise.all(handlers);
  };
  return Promise.resolve({
    target: targetOf(hostname, (listener.addr as Deno.NetAddr).port),
    get accepted() {
      return accepted;
    },
    get leaked() {
      return leaked;
    },
    close,
    [Symbol.asyncDispose]: close,
  });
}

if (import.meta.main) {
  // `deno run -A lib/testing/partial_leak_server.ts PORT [LEAK_EVERY] [LEAK_FIRST]`
  const [port, every, first] = Deno.args.map(Number);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error("usage: partial_leak_server.ts PORT [LEAK_EVERY] [LEAK_FIRST]");
    Deno.exit(2);
  }
  const server = await startPartialLeakServer({
    port,
    leakEvery: every || 10,
    leakFirst: first || 0,
  });
  console.log(`partial-leak server on ${server.target.label}`);
  const stop = () => server.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
