/**
 * Reference TCP servers with known behaviour, each misbehaving in one way
 * that synfin must detect. Used by the demo and the tests; they listen on
 * loopback below port 32768, outside the ephemeral range, so a tester port
 * left in TIME_WAIT never collides with them.
 *
 * @module
 */

import { delay } from "../base/delay.ts";
import type { Target } from "../base/target.ts";
import { PORT_RANGE, portIsQuiet, randomPort, targetOf } from "./ports.ts";
import { acceptNext } from "./accept_next.ts";
import { startResetServer } from "./reset_server.ts";

/** The behaviours on offer. */
export type ReferenceServerKind =
  | "well-behaved"
  | "leaky"
  | "closes-first"
  | "reset"
  | "resets-at-accept"
  | "slow-accept"
  | "never-accepts"
  | "idle-timeout";

/** Every kind, in the order the docs list them. */
export const REFERENCE_SERVER_KINDS: readonly ReferenceServerKind[] = [
  "well-behaved",
  "leaky",
  "closes-first",
  "reset",
  "resets-at-accept",
  "slow-accept",
  "never-accepts",
  "idle-timeout",
];

/** What each kind does, one line each. */
export const REFERENCE_SERVER_BEHAVIOUR: Record<ReferenceServerKind, string> = {
  "well-behaved":
    "echoes what it reads and closes when it reads EOF (answers our FIN with its FIN)",
  "leaky": "echoes, but never closes after EOF: its sockets stay in CLOSE_WAIT",
  "closes-first": "closes right after accept: it sends the first FIN and keeps the TIME_WAIT",
  "reset": "echoes, and answers our FIN with an RST instead of a FIN",
  "resets-at-accept": "completes the handshake, then resets (RST) every connection it accepts",
  "slow-accept": "accepts one connection per accept delay from a tiny listen backlog",
  "never-accepts": "listens with a tiny backlog and never calls accept",
  "idle-timeout": "echoes, and closes (FIN) a connection that stays silent for the idle timeout",
};

/** Options of {@link startReferenceServer}. */
export interface ReferenceServerOptions {
  /**
   * Address to listen on.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /** Port; by default a free port in 20000-32767. */
  port?: number;
  /**
   * Listen backlog (8 for slow-accept and never-accepts).
   *
   * @default {4096}
   */
  backlog?: number;
  /**
   * slow-accept: delay between two accepts, ms.
   *
   * @default {50}
   */
  acceptDelayMs?: number;
  /**
   * idle-timeout: silence after which a connection is closed, ms.
   *
   * @default {1000}
   */
  idleTimeoutMs?: number;
  /**
   * leaky: after the first `leakFirst`, connection number `leakEvery`,
   * `2 * leakEvery`, ... (counted from 1 in accept order) is never closed
   * after EOF; the others are closed as the well-behaved server closes them.
   *
   * @default {1}
   */
  leakEvery?: number;
  /**
   * leaky: the first this many connections are never closed after EOF
   * either, standing for CLOSE_WAIT sockets an earlier run left behind.
   *
   * @default {0}
   */
  leakFirst?: number;
}

/** A running reference server. */
export interface ReferenceServer extends AsyncDisposable {
  /** Its behaviour. */
  readonly kind: ReferenceServerKind;
  /** Where it listens. */
  readonly target: Target;
  /** The listen backlog it asked for. */
  readonly backlog: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections it holds open now. */
  readonly open: number;
  /** Stops listening and closes every connection it holds. */
  close(): Promise<void>;
}

/**
 * Starts a reference server.
 *
 * @example
 * ```ts
 * import { startReferenceServer } from "./reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 * await conn.closeWrite();
 * console.assert(await conn.read(new Uint8Array(1)) === null);
 * conn.close();
 * ```
 */
export function startReferenceServer(
  kind: ReferenceServerKind,
  options: ReferenceServerOptions = {},
): Promise<ReferenceServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const tinyBacklog = kind === "slow-accept" || kind === "never-accepts";
  const backlog = options.backlog ?? (tinyBacklog ? 8 : 4096);
  if (kind === "reset" || kind === "resets-at-accept") {
    return startResetServer(hostname, backlog, options.port, kind);
  }
  const { leakEvery = 1, leakFirst = 0 } = options;
  if (!Number.isInteger(leakEvery) || leakEvery < 1) {
    throw new RangeError(`Invalid leakEvery ${leakEvery}: use an integer of 1 or more`);
  }
  // Which accepted connections (numbered from 1) a leaky handler leaves in CLOSE_WAIT.
  const leaks = (index: number) =>
    kind === "leaky" && (index <= leakFirst || (index - leakFirst) % leakEvery === 0);
  return Promise.resolve(
    startDenoServer(kind, hostname, backlog, options.port, {
      acceptDelayMs: options.acceptDelayMs ?? 50,
      idleTimeoutMs: options.idleTimeoutMs ?? 1000,
      leaks,
    }),
  );
}

/** Options of {@link listenBelowEphemeral}. */
export interface ListenBelowEphemeralOptions {
  /**
   * Address to listen on.
   *
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Listen backlog.
   *
   * @default {4096}
   */
  backlog?: number;
  /** A fixed port; by default a free one in 20000-32767. */
  port?: number;
}

/**
 * Listens on a free port below the ephemeral range (32768-60999 here), so a
 * tester's own port in TIME_WAIT can never collide with the server's.
 *
 * @example
 * ```ts
 * import { listenBelowEphemeral } from "./reference_servers.ts";
 * const listener = listenBelowEphemeral();
 * console.assert((listener.addr as Deno.NetAddr).port < 32768);
 * listener.close();
 * ```
 */
export function listenBelowEphemeral(
  options: ListenBelowEphemeralOptions = {},
): Deno.TcpListener {
  const { hostname = "127.0.0.1", backlog = 4096, port } = options;
  if (port !== undefined) return Deno.listen({ hostname, port, tcpBacklog: backlog });
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = randomPort();
    if (!portIsQuiet(candidate)) continue;
    try {
      return Deno.listen({ hostname, port: candidate, tcpBacklog: backlog });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Deno.errors.AddrInUse(`No free port in ${PORT_RANGE.from}-${PORT_RANGE.to}`);
}

function startDenoServer(
  kind: ReferenceServerKind,
  hostname: string,
  backlog: number,
  port: number | undefined,
  behaviour: { acceptDelayMs: number; idleTimeoutMs: number; leaks: (index: number) => boolean },
): ReferenceServer {
  const { acceptDelayMs, idleTimeoutMs, leaks } = behaviour;
  const listener = listenBelowEphemeral({ hostname, backlog, port });
  const conns = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  let accepted = 0;
  let closing = false;
  const shutdown = new AbortController();

  const serve = async (conn: Deno.TcpConn, leaksThis: boolean) => {
    conns.add(conn);
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    // Closing the conn makes the pending read reject: the handler then ends.
    const armIdleTimer = () => {
      if (kind !== "idle-timeout") return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        try {
          conn.close();
        } catch { /* closed */ }
      }, idleTimeoutMs);
    };
    try {
      if (kind === "closes-first") return;
      const buffer = new Uint8Array(16 * 1024);
      while (true) {
        armIdleTimer();
        const n = await conn.read(buffer);
        if (n === null) break;
        let offset = 0;
        while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
      }
      if (leaksThis) {
        // The bug under test: the handler saw EOF and forgot to close.
        await new Promise<void>((resolve) =>
          shutdown.signal.addEventListener("abort", () => resolve(), { once: true })
        );
      }
    } catch {
      // A peer's reset or our own shutdown; nothing to serve any more.
    } finally {
      clearTimeout(idleTimer);
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed by shutdown */ }
    }
  };

  const acceptLoop = (async () => {
    if (kind === "never-accepts") {
      await new Promise<void>((resolve) =>
        shutdown.signal.addEventListener("abort", () => resolve(), { once: true })
      );
      return;
    }
    while (true) {
      const conn = await acceptNext(listener, () => closing);
      if (conn === undefined) return;
      accepted++;
      const handler = serve(conn, leaks(accepted));
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
      if (kind === "slow-accept") {
        await delay(acceptDelayMs, { signal: shutdown.signal });
      }
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
  return {
    kind,
    target: targetOf(hostname, (listener.addr as Deno.NetAddr).port),
    backlog,
    get accepted() {
      return accepted;
    },
    get open() {
      return conns.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

if (import.meta.main) {
  // `deno run -P lib/testing/reference_servers.ts KIND [PORT] [BACKLOG] [LEAK_EVERY] [LEAK_FIRST]`:
  // run one for manual tests and network-namespace tests.
  const [kind, port, backlog, leakEvery, leakFirst] = Deno.args as [
    ReferenceServerKind,
    string?,
    string?,
    string?,
    string?,
  ];
  if (!REFERENCE_SERVER_KINDS.includes(kind)) {
    console.error(
      `usage: reference_servers.ts ${REFERENCE_SERVER_KINDS.join("|")} [PORT] [BACKLOG] ` +
        "[LEAK_EVERY] [LEAK_FIRST]",
    );
    Deno.exit(2);
  }
  if (port !== undefined && !/^\d+$/.test(port) || Number(port) > 65535) {
    console.error(`reference_servers.ts: invalid port "${port}": use 1-65535`);
    Deno.exit(2);
  }
  const server = await startReferenceServer(kind, {
    port: port ? Number(port) : undefined,
    backlog: backlog ? Number(backlog) : undefined,
    leakEvery: leakEvery ? Number(leakEvery) : undefined,
    leakFirst: leakFirst ? Number(leakFirst) : undefined,
  });
  console.log(`${kind} server on ${server.target.label}: ${REFERENCE_SERVER_BEHAVIOUR[kind]}`);
  // A never-accepts server has no pending op of its own (it only holds the
  // listener), and a signal listener does not keep Deno alive: the process
  // would exit at once. A long timer keeps it up until SIGINT or SIGTERM.
  const keepAlive = setInterval(() => {}, 1 << 30);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      clearInterval(keepAlive);
      server.close().then(() => Deno.exit(0));
    });
  }
}
