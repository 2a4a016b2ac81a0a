/**
 * A server that accepts and never reads, from a listener with a tiny receive
 * buffer: a client that sends more than the window holds sees the window
 * close, and its FIN stays queued behind the unsent bytes (its socket sits
 * in FIN_WAIT1, the server's in ESTABLISHED, not CLOSE_WAIT). Deno cannot
 * set `SO_RCVBUF`, so the socket is made through libc (Deno FFI, Linux).
 *
 * @module
 */

import type { Target } from "../base/target.ts";
import { PORT_RANGE, portIsQuiet, randomPort, targetOf } from "./ports.ts";

/** Options of {@link startZeroWindowServer}. */
export interface ZeroWindowServerOptions {
  /** Port on 127.0.0.1; by default a free port in 20000-32767. */
  port?: number;
  /**
   * `SO_RCVBUF` of the listener, inherited by every accepted socket (the
   * kernel doubles it and keeps a floor of about 2 KB).
   *
   * @default {1024}
   */
  receiveBuffer?: number;
}

/** A running zero-window server. */
export interface ZeroWindowServer extends AsyncDisposable {
  /** Where it listens (127.0.0.1). */
  readonly target: Target;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Closes the listener and every accepted socket. */
  close(): Promise<void>;
}

const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_RCVBUF = 8;
const EADDRINUSE = 98;
/** How often the nonblocking listener is polled for new connections, ms. */
const ACCEPT_POLL_MS = 10;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept4: { parameters: ["i32", "pointer", "pointer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** `struct sockaddr_in` for 127.0.0.1:`port` (port big-endian). */
function loopbackAddress(port: number): Uint8Array {
  const address = new Uint8Array(16);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  address.set([127, 0, 0, 1], 4);
  return address;
}

/**
 * Starts a server on 127.0.0.1 that accepts and never reads, with a tiny
 * receive buffer. Needs `--allow-ffi`.
 *
 * @throws {Deno.errors.AddrInUse} when no port is free (or the given one is taken).
 * @example
 * ```ts
 * import { startZeroWindowServer } from "./zero_window_server.ts";
 * await using server = await startZeroWindowServer();
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.target.port });
 * // More than the server's window: the write completes into our send buffer.
 * await conn.write(new Uint8Array(64 * 1024));
 * conn.close();
 * ```
 */
export function startZeroWindowServer(
  options: ZeroWindowServerOptions = {},
): Promise<ZeroWindowServer> {
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  const c = libc.symbols;
  const errno = () => new Deno.UnsafePointerView(c.__errno_location()!).getInt32();
  const int = (value: number) => new Uint8Array(new Int32Array([value]).buffer);
  const fd = c.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    libc.close();
    throw new Error(`socket() failed: errno ${errno()}`);
  }
  c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, int(1), 4);
  c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(options.receiveBuffer ?? 1024), 4);
  const candidates = options.port === undefined
    ? Array.from({ length: 200 }, randomPort).filter((candidate) => portIsQuiet(candidate))
    : [options.port];
  let port = 0;
  let why = EADDRINUSE;
  for (const candidate of candidates) {
    if (c.bind(fd, loopbackAddress(candidate), 16) === 0) {
      port = candidate;
      break;
    }
    why = errno();
    if (why !== EADDRINUSE) break;
  }
  if (port === 0) {
    c.close(fd);
    libc.close();
    const where = options.port ?? `${PORT_RANGE.from}-${PORT_RANGE.to}`;
    throw new Deno.errors.AddrInUse(`Cannot listen on 127.0.0.1:${where}: errno ${why}`);
  }
  c.listen(fd, 64);
  const accepted: number[] = [];
  // Poll, never block: a blocking accept() through FFI would stall the event loop.
  const timer = setInterval(() => {
    while (true) {
      const conn = c.accept4(fd, null, null, SOCK_NONBLOCK);
      if (conn < 0) return;
      accepted.push(conn);
    }
  }, ACCEPT_POLL_MS);
  let closed = false;
  const close = () => {
    if (closed) return Promise.resolve();
    closed = true;
    clearInterval(timer);
    // Closing with unread bytes sends an RST: the client's stuck socket goes too.
    for (const conn of accepted) c.close(conn);
    c.close(fd);
    libc.close();
    return Promise.resolve();
  };
  return Promise.resolve({
    target: targetOf("127.0.0.1", port),
    get accepted() {
      return accepted.length;
    },
    close,
    [Symbol.asyncDispose]: close,
  });
}

if (import.meta.main) {
  // `deno run -A lib/testing/zero_window_server.ts [PORT]`
  const port = Deno.args[0] === undefined ? undefined : Number(Deno.args[0]);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    console.error("usage: zero_window_server.ts [PORT]");
    Deno.exit(2);
  }
  const server = await startZeroWindowServer({ port });
  console.log(`zero-window server on ${server.target.label}: accepts, never reads`);
  const stop = () => server.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
