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
import { ReceiveQueue } from "./receive_queue.ts";

/**
 * The socket layer of the `deno` engine's scripted sessions over TLS.
 *
 * @example
 * ```ts
 * import { tlsSocketLayer } from "./tls_socket.ts";
 * const socket = tlsSocketLayer({}).open();
 * // Nothing listens on port 1: the TCP connect fails before any TLS.
 * const failed = await Promise.resolve()
 *   .then(() => socket.connect({ hostname: "127.0.0.1", port: 1 }, 1000))
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
  readonly #received = new ReceiveQueue(() => this.#resume?.());
  #closed = false;
  #tlsClose: TlsClose | undefined;
  #handshake: TlsHandshake | undefined;
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
    if (!conn || this.#closed || this.#received.errno) {
      throw new SocketFailure("write", this.#received.errno ?? "EPIPE");
    }
    try {
      let offset = 0;
      while (offset < bytes.byteLength) offset += await conn.write(bytes.subarray(offset));
    } catch (error) {
      throw new SocketFailure("write", this.#received.errno ?? errnoOf(error), { cause: error });
    }
  }

  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    return this.#received.read(timeoutMs, signal);
  }

  async closeWrite(): Promise<void> {
    const conn = this.#conn;
    if (!conn || this.#closed || this.#received.errno) {
      throw new SocketFailure("closeWrite", this.#received.errno ?? "ENOTCONN");
    }
    try {
      await conn.closeWrite(); // close_notify, then our FIN
    } catch (error) {
      throw new SocketFailure("closeWrite", errnoOf(error), { cause: error });
    }
  }

  async peerFinQueued(): Promise<boolean> {
    if (!this.#received.eof && this.#received.empty) await afterSocketPoll();
    return this.#received.eof;
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
        if (this.#received.full) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          this.#resume = undefined;
          continue;
        }
        const n = await conn.read(buffer);
        if (n === null) {
          this.#tlsClose = "closeNotify";
          this.#received.end();
          break;
        }
        this.#received.push(buffer.slice(0, n));
      }
    } catch (error) {
      // Our own close() ends the pending read: not the server's doing.
      if (this.#closed) return;
      if (isBareFin(error)) {
        this.#tlsClose = "bareFin";
        this.#received.end();
      } else this.#received.fail(tlsErrnoOf(error));
    }
    this.#received.wake();
  }
}
