/**
 * The socket layer a scripted session runs on: the few calls a
 * {@link ScenarioSocket} makes, one implementation per engine (`node:net` on
 * the `deno` engine, libc through FFI on the `raw` engine), so a scenario's
 * outcome is classified by one piece of code whatever the engine.
 *
 * @module
 */

import type { Destination } from "../../base/target.ts";
import type { SessionKernelEvidence } from "../kernel_evidence.ts";
import type { Operation } from "../outcome.ts";
import type { TlsClose } from "../tls.ts";

/**
 * A socket call that failed, with the errno the kernel (or the engine) gave.
 * `ETIMEDOUT` is also what a read or connect past its deadline fails with,
 * and `EINTR` what a call fails with once the run was stopped.
 *
 * @example
 * ```ts
 * import { SocketFailure } from "./socket.ts";
 * const failure = new SocketFailure("read", "ECONNRESET");
 * console.assert(failure.name === "SocketFailure");
 * console.assert(failure.message === "read failed: ECONNRESET");
 * ```
 */
export class SocketFailure extends Error {
  /** The call that failed. */
  readonly operation: Operation;
  /** errno name, e.g. `ECONNRESET`. */
  readonly errno: string;
  /** Creates the failure of `operation` with `errno`. */
  constructor(operation: Operation, errno: string, options?: ErrorOptions) {
    super(`${operation} failed: ${errno}`, options);
    this.name = "SocketFailure";
    this.operation = operation;
    this.errno = errno;
  }
}

/**
 * One TCP connection as a scripted session sees it. Every call fails with
 * a {@link SocketFailure}: a promise rejects with it, and a call that may
 * finish at once (`connect`, `closeWrite`: no promise then, which spares
 * the session a microtask turn each) may throw it.
 */
export interface ScenarioSocket {
  /**
   * Connects to `to`; resolves with the local port once the handshake is
   * done (0 from a layer told not to ask). Fails with `ETIMEDOUT` after
   * `timeoutMs`, `EINTR` on `signal`.
   */
  connect(to: Destination, timeoutMs: number, signal?: AbortSignal): number | Promise<number>;
  /** Writes every byte (waiting for send buffer room as needed). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * The next bytes received, or `null` once the server's FIN has been read.
   * Fails with `ETIMEDOUT` when nothing came in `timeoutMs`; a later call
   * may still return what arrives after it.
   */
  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null>;
  /** Sends our FIN (`shutdown(SHUT_WR)`); reading goes on. */
  closeWrite(): void | Promise<void>;
  /**
   * Whether the server's FIN has reached this socket but was not read yet:
   * who closed first is decided from it right before our FIN. A layer that
   * knows at once (the raw one asks TCP_INFO) answers without a promise,
   * which spares the session a turn of the microtask queue.
   */
  peerFinQueued(): boolean | Promise<boolean>;
  /** Ends the connection with an RST (`SO_LINGER` `{1, 0}`, then `close`). */
  abort(): void;
  /** Closes the socket; idempotent. */
  close(): void;
  /** What the kernel said of the socket (`TCP_INFO`), where the engine reads it. */
  kernelEvidence?(): SessionKernelEvidence | undefined;
  /** `--tls`: when the TCP handshake completed and how long the TLS one took, once started. */
  tlsHandshake?(): TlsHandshake | undefined;
  /** `--tls`: how the server ended the TLS stream, once its end was read. */
  tlsClose?(): TlsClose | undefined;
}

/** A TLS socket's connect, timed: its TCP handshake, then the TLS one. */
export interface TlsHandshake {
  /** `performance.now()` when the TCP handshake completed. */
  tcpAt: number;
  /** The TLS handshake, microseconds; absent when it did not complete. */
  us?: number;
}

/** Where scripted sessions get their sockets and timers: one per event loop. */
export interface SocketLayer {
  /** A new, unconnected socket. */
  open(): ScenarioSocket;
  /**
   * Resolves after `ms` (early on `signal`). Both layers leave the event
   * loop free (the raw one parks its `epoll_wait` on a thread), so this is a
   * plain timer on either.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
