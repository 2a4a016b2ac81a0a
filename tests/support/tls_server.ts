/**
 * TLS reference servers for the `--tls` tests, with the certificates of
 * tests/fixtures/tls/ (see its README): each echoes what it reads and, once
 * the client's stream ends, closes the way its kind says.
 *
 * - `close-notify`: `Deno.listenTls`; answers our `close_notify` with its
 *   own (`TlsConn.close()` sends it: measured, the client's read returns null).
 * - `bare-fin`: `node:tls`, whose `destroy()` closes the TCP connection
 *   without `close_notify` (measured: the client's read rejects with
 *   `UnexpectedEof`); Deno's own TLS conn always sends it, on `close()` and
 *   `closeWrite()` alike.
 * - `untrusted`: as `close-notify`, with a certificate the test CA did not
 *   sign: the client's handshake fails (`invalid peer certificate: UnknownIssuer`).
 */
import * as tls from "node:tls";
import { fileURLToPath } from "node:url";

const FIXTURES = new URL("../fixtures/tls/", import.meta.url);

/** The test CA's certificate file, as `--tls-ca` takes it. */
export const TEST_CA_FILE: string = fileURLToPath(new URL("ca.pem", FIXTURES));

/** The test CA's certificate, PEM. */
export const TEST_CA_PEM: string = Deno.readTextFileSync(TEST_CA_FILE);

/** How a {@link TlsTestServer} ends a connection. */
export type TlsServerKind = "close-notify" | "bare-fin" | "untrusted";

/** A running TLS server on 127.0.0.1. */
export interface TlsTestServer extends AsyncDisposable {
  /** `127.0.0.1:PORT`. */
  readonly address: string;
  /** Its port. */
  readonly port: number;
  /** Connections whose TLS handshake completed. */
  readonly handshakes: number;
  /** Connections whose client's stream ended with `close_notify` (the read returned EOF). */
  readonly clientCloseNotify: number;
}

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

/** Starts a TLS server of `kind` on an ephemeral loopback port. */
export function startTlsServer(kind: TlsServerKind): Promise<TlsTestServer> {
  return kind === "bare-fin" ? startNodeServer() : Promise.resolve(startDenoServer(kind));
}

function startDenoServer(kind: "close-notify" | "untrusted"): TlsTestServer {
  const prefix = kind === "untrusted" ? "untrusted" : "server";
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: fixture(`${prefix}.pem`),
    key: fixture(`${prefix}.key`),
  });
  const counts = { handshakes: 0, clientCloseNotify: 0 };
  const open = new Set<Promise<void>>();
  const serve = async (conn: Deno.TlsConn) => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      await conn.handshake();
      counts.handshakes++;
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) {
          counts.clientCloseNotify++;
          break;
        }
        await conn.write(buffer.subarray(0, n));
      }
    } catch { /* a failed handshake or a reset: the client's side is under test */ }
    try {
      conn.close();
    } catch { /* closed */ }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const one = serve(conn).finally(() => open.delete(one));
      open.add(one);
    }
  })().catch(() => {});
  return handle((listener.addr as Deno.NetAddr).port, counts, async () => {
    listener.close();
    await accepting;
    await Promise.all(open);
  });
}

/** A running server's handle: its port, what it counted, how to stop it. */
function handle(
  port: number,
  counts: { handshakes: number; clientCloseNotify: number },
  dispose: () => Promise<void>,
): TlsTestServer {
  return {
    address: `127.0.0.1:${port}`,
    port,
    get handshakes() {
      return counts.handshakes;
    },
    get clientCloseNotify() {
      return counts.clientCloseNotify;
    },
    [Symbol.asyncDispose]: dispose,
  };
}

async function startNodeServer(): Promise<TlsTestServer> {
  const counts = { handshakes: 0, clientCloseNotify: 0 };
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer(
    { cert: fixture("server.pem"), key: fixture("server.key"), allowHalfOpen: true },
    (socket) => {
      counts.handshakes++;
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("data", (chunk: Uint8Array) => socket.write(chunk));
      socket.on("error", () => {});
      socket.on("end", () => {
        counts.clientCloseNotify++;
        // The TCP close without close_notify (what was written before is
        // flushed first only if the client read it: the tests send nothing).
        socket.destroy();
      });
    },
  );
  // Deno's node:tls counts a TCP connection that closed before any TLS (the
  // CLI's preflight connect) as open for good, and server.close() would wait
  // for it: the TCP sockets are destroyed at dispose.
  const tcp = new Set<{ destroy(): void; on(event: "close", fn: () => void): void }>();
  server.on("connection", (socket) => {
    tcp.add(socket);
    socket.on("close", () => tcp.delete(socket));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return handle((server.address() as { port: number }).port, counts, async () => {
    for (const socket of [...sockets, ...tcp]) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}
