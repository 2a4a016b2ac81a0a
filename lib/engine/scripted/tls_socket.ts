/**
 * The `deno` engine's socket for scripted sessions with `--tls`:
 * `Deno.connect`, then `Deno.startTls` and its handshake, timed apart (the
 * `handshake` and `tls` phases). Received bytes are pumped into a queue, as
 * node_socket.ts gets them as events, so a read that times out leaves no
 * read pending behind it.
 *
 * Two limits of Deno's TLS connection, measured (lib/engine/tls.ts):
 * `closeWrite()` sends `close_notify` then our FIN, and there is no
 * `SO_LINGER`, so {@link ScenarioSocket.abort} can only close (the server
 * sees `close_notify` and a FIN, not an RST).
 *
 * @module
 */

import { delay } from "../../base/delay.ts";
import { errnoOf } from "../../base/errno.ts";
import type { Destination } from "../../base/target.ts";
import { afterSocketPoll } from "../socket_poll.ts";
import {
  isBareFin,
  type TlsClose,
  tlsErrnoOf,
  TlsHandshakeError,
  type TlsOptions,
  upgradeToTls,
} from "../tls.ts";
import {
  type ScenarioSocket,
  SocketFailure,
  type SocketLayer,
  type TlsHandshake,
} from "./socket.ts";

/** Received bytes held before the pump stops reading (backpressure on the server). */
const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * The socket layer of the `deno` engine's scripted sessions over TLS.
 *
 * @example
 * ```ts
 * import { tlsSocketLayer } from "./tls_socket.ts";
 * const socket = tlsSocketLayer({}).open();
 * // Nothing listens on port 1: the TCP connect fails before any TLS.
 * const failed = await socket.connect({ hostname: "127.0.0.1", port: 1 }, 1000)
 *   .then(() => undefined, (error) => error.errno);
 * console.assert(failed === "ECONNREFUSED");
 * socket.close();
 * ```
 */
export function tlsSocketLayer(tls: TlsOptions): SocketLayer {
  return {
    open: () => new TlsScenarioSocket(tls),
    sleep: (ms, signal) => delay(ms, { signal }),
  };
}

class TlsScenarioSocket implements ScenarioSocket {
  readonly #tls: TlsOptions;
  #conn: Deno.TlsConn | undefined;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #eof = false;
  #closed = false;
  #errno: string | undefined;
  #tlsClose: TlsClose | undefined;
  #handshake: TlsHandshake | undefined;
  #wake: (() => void) | undefined;
  #resume: (() => void) | undefined;

  constructor(tls: TlsOptions) {
    this.#tls = tls;
  }

  async connect(to: Destination, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) throw new SocketFailure("connect", "EINTR");
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort("ETIMEDOUT"), timeoutMs);
    const onAbort = () => abort.abort("EINTR");
    signal?.addEventListener("abort", onAbort, { once: true });
    let tcp: Deno.TcpConn;
    try {
      tcp = await Deno.connect({ hostname: to.hostname, port: to.port, signal: abort.signal });
    } catch (error) {
      const reason = abort.signal.reason;
      throw new SocketFailure("connect", typeof reason === "string" ? reason : errnoOf(error), {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    const tcpAt = performance.now();
    this.#handshake = { tcpAt };
    const port = tcp.localAddr.port;
    try {
      // The TLS handshake gets a connect timeout of its own, as runSession's does.
      this.#conn = await upgradeToTls(tcp, to, this.#tls, timeoutMs, signal);
    } catch (error) {
      const errno = error instanceof TlsHandshakeError ? error.errno : errnoOf(error);
      throw new SocketFailure("connect", errno, { cause: error });
    }
    this.#handshake.us = (performance.now() - tcpAt) * 1000;
    if (this.#closed) this.#conn.close();
    else this.#pump(this.#conn);
    return port;
  }

  tlsHandshake(): TlsHandshake | undefined {
    return this.#handshake;
  }

  tlsClose(): TlsClose | undefined {
    return this.#tlsClose;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const conn = this.#conn;
    if (!conn || this.#closed || this.#errno) {
      throw new SocketFailure("write", this.#errno ?? "EPIPE");
    }
    try {
      let offset = 0;
      while (offset < bytes.byteLength) offset += await conn.write(bytes.subarray(offset));
    } catch (error) {
      throw new SocketFailure("write", this.#errno ?? errnoOf(error), { cause: error });
    }
  }

  async read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    const until = performance.now() + timeoutMs;
    while (true) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.#queued -= chunk.byteLength;
        if (this.#queued < MAX_QUEUED_BYTES) this.#resume?.();
        return chunk;
      }
      if (this.#errno) throw new SocketFailure("read", this.#errno);
      if (this.#eof) return null;
      if (signal?.aborted) throw new SocketFailure("read", "EINTR");
      const left = until - performance.now();
      if (left <= 0) throw new SocketFailure("read", "ETIMEDOUT");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        signal?.addEventListener("abort", done, { once: true });
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  async closeWrite(): Promise<void> {
    const conn = this.#conn;
    if (!conn || this.#closed || this.#errno) {
      throw new SocketFailure("closeWrite", this.#errno ?? "ENOTCONN");
    }
    try {
      await conn.closeWrite(); // close_notify, then our FIN
    } catch (error) {
      throw new SocketFailure("closeWrite", errnoOf(error), { cause: error });
    }
  }

  async peerFinQueued(): Promise<boolean> {
    if (!this.#eof && this.#chunks.length === 0) await afterSocketPoll();
    return this.#eof;
  }

  /** Closes: Deno's TLS connection has no `SO_LINGER`, so no RST can be sent. */
  abort(): void {
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#resume?.();
    try {
      this.#conn?.close();
    } catch { /* closed */ }
  }

  async #pump(conn: Deno.TlsConn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!this.#closed) {
        if (this.#queued >= MAX_QUEUED_BYTES) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          this.#resume = undefined;
          continue;
        }
        const n = await conn.read(buffer);
        if (n === null) {
          this.#tlsClose = "closeNotify";
          this.#eof = true;
          break;
        }
        this.#chunks.push(buffer.slice(0, n));
        this.#queued += n;
        this.#wake?.();
      }
    } catch (error) {
      // Our own close() ends the pending read: not the server's doing.
      if (this.#closed) return;
      if (isBareFin(error)) {
        this.#tlsClose = "bareFin";
        this.#eof = true;
      } else this.#errno ??= tlsErrnoOf(error);
    }
    this.#wake?.();
  }
}
