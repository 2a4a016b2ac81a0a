/**
 * TLS over a session's TCP connection (`--tls`, deno engine only): the TLS
 * handshake as a phase of its own after the TCP one, TLS failures as
 * errno-like codes, and how the server closed: with its `close_notify`
 * alert, or with a bare FIN.
 *
 * What Deno 2.9 does, measured against `Deno.listenTls`, `node:tls` and
 * Python's `ssl` servers on loopback:
 *
 * - `Deno.startTls(tcp)` does not handshake until asked: `handshake()`
 *   runs it, so its time is the TLS phase alone.
 * - `TlsConn.closeWrite()` sends `close_notify`, then the TCP FIN (our
 *   socket is in FIN-WAIT-2 after it); `close()` sends `close_notify` too.
 *   Deno's TLS conn has no `SO_LINGER`: it cannot end with an RST.
 * - A read that meets the server's `close_notify` returns `null`; a FIN
 *   without it rejects with `Deno.errors.UnexpectedEof` ("peer closed
 *   connection without sending TLS close_notify"): a truncation an attacker
 *   could cause, so it is counted (`bareFin`) apart from `closeNotify`, but
 *   the TCP close itself was graceful, and the outcome stays `clean` (or
 *   `server-closed-first`).
 * - There is no per-connection switch to skip certificate verification;
 *   a self-signed server needs its CA (`caCerts`, `--tls-ca`).
 *
 * @module
 */

import { errnoOf } from "../base/errno.ts";
import type { Destination } from "../base/target.ts";
import { RESET_ERRNOS } from "./outcome.ts";
import type { SessionRecord } from "./session_record.ts";

/** TLS settings of a load; present means every session speaks TLS. */
export interface TlsOptions {
  /**
   * PEM CA certificates trusted besides Deno's root store (`--tls-ca`):
   * what a server with a self-signed or private CA needs.
   *
   * @default {[]}
   */
  caCerts?: string[];
  /**
   * The name sent as SNI and checked against the certificate
   * (`--tls-servername`). Default: the destination's host.
   */
  servername?: string;
}

/** How the server ended the TLS stream: `closeNotify` before its FIN, or a `bareFin`. */
export type TlsClose = "closeNotify" | "bareFin";

/** Sessions whose server closed, by how it closed the TLS stream. */
export interface TlsCloseCounts {
  /** The server sent `close_notify` before its FIN. */
  closeNotify: number;
  /** The server's FIN came without `close_notify` (a truncation risk). */
  bareFin: number;
}

/**
 * The errno-like codes of a failed TLS handshake, with their words. Socket
 * errors during it keep their errno (`ECONNRESET` is a `reset`, as it is in
 * any phase); these codes are what only TLS fails with, outcome `error`.
 */
export const TLS_ERRNO_WORDS: Readonly<Record<string, string>> = Object.freeze({
  ETLSCERT: "the server's certificate was not accepted (unknown CA, wrong name, expired)",
  ETLSALERT: "the server ended the TLS handshake with an alert",
  ETLSEOF: "the server closed the connection during the TLS handshake",
  ETLS: "the TLS handshake failed (not TLS on that port?)",
});

/**
 * The code of an error thrown by `TlsConn.handshake()`: a socket errno when
 * it has one, else one of {@link TLS_ERRNO_WORDS}, read from rustls's words
 * ("invalid peer certificate: UnknownIssuer", "received fatal alert: ...").
 *
 * @example
 * ```ts
 * import { tlsErrnoOf } from "./tls.ts";
 * const error = new Deno.errors.InvalidData("invalid peer certificate: UnknownIssuer");
 * console.assert(tlsErrnoOf(error) === "ETLSCERT");
 * console.assert(tlsErrnoOf(new Deno.errors.ConnectionReset("x")) === "ECONNRESET");
 * ```
 */
export function tlsErrnoOf(error: unknown): string {
  const errno = errnoOf(error);
  if (errno !== "EUNKNOWN") return errno;
  if (error instanceof Deno.errors.UnexpectedEof) return "ETLSEOF";
  const message = error instanceof Error ? error.message : String(error);
  if (/peer certificate|certificate not valid|UnknownIssuer|expired/i.test(message)) {
    return "ETLSCERT";
  }
  if (/received fatal alert/i.test(message)) return "ETLSALERT";
  return "ETLS";
}

/**
 * Whether a read failed because the server's FIN came without its
 * `close_notify` (rustls reports it as `UnexpectedEof`): the stream ended,
 * not the connection failed.
 *
 * @example
 * ```ts
 * import { isBareFin } from "./tls.ts";
 * console.assert(isBareFin(new Deno.errors.UnexpectedEof("peer closed connection")));
 * console.assert(!isBareFin(new Deno.errors.ConnectionReset("reset")));
 * ```
 */
export function isBareFin(error: unknown): boolean {
  return error instanceof Deno.errors.UnexpectedEof;
}

/** A TLS handshake that did not complete, with its code ({@link tlsErrnoOf}). */
export class TlsHandshakeError extends Error {
  /** `ETLSCERT`, `ETIMEDOUT`, `ECONNRESET`, ... */
  readonly errno: string;
  /** Creates the error. */
  constructor(errno: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TlsHandshakeError";
    this.errno = errno;
  }
}

/**
 * Runs the TLS handshake over an established `tcp` connection to `to`,
 * within `timeoutMs` (`ETIMEDOUT` past it, `EINTR` on `signal`). On failure
 * the connection is closed and a {@link TlsHandshakeError} thrown.
 *
 * @example
 * ```ts
 * import { upgradeToTls, TlsHandshakeError } from "./tls.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (listener.addr as Deno.NetAddr).port;
 * const accepted = listener.accept().then((conn) => conn.close()); // closes: no TLS
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
 * const failed = await upgradeToTls(tcp, { hostname: "127.0.0.1", port }, {}, 1000)
 *   .then(() => undefined, (error) => error);
 * console.assert(failed instanceof TlsHandshakeError && failed.errno === "ETLSEOF");
 * await accepted;
 * listener.close();
 * ```
 */
export async function upgradeToTls(
  tcp: Deno.TcpConn,
  to: Destination,
  tls: TlsOptions,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Deno.TlsConn> {
  let conn: Deno.TlsConn | undefined;
  let stoppedBy: "ETIMEDOUT" | "EINTR" | undefined;
  const stop = (why: "ETIMEDOUT" | "EINTR") => {
    stoppedBy ??= why;
    // Closing is the only way to cancel a pending handshake.
    closeQuietly(conn ?? tcp);
  };
  const timer = setTimeout(() => stop("ETIMEDOUT"), timeoutMs);
  const onAbort = () => stop("EINTR");
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) throw new Deno.errors.Interrupted("stopped");
    conn = await Deno.startTls(tcp, {
      hostname: tls.servername ?? to.hostname,
      ...(tls.caCerts && tls.caCerts.length > 0 && { caCerts: tls.caCerts }),
    });
    await conn.handshake();
    return conn;
  } catch (error) {
    closeQuietly(conn ?? tcp);
    const errno = stoppedBy ?? tlsErrnoOf(error);
    const words = error instanceof Error ? error.message : String(error);
    throw new TlsHandshakeError(errno, `TLS handshake failed: ${words}`, { cause: error });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * The outcome of a session whose TLS handshake failed with `errno`: a reset
 * stays `reset`, anything else is `error` (the TCP connect had worked).
 *
 * @example
 * ```ts
 * import { tlsFailureOutcome } from "./tls.ts";
 * console.assert(tlsFailureOutcome("ETLSCERT") === "error");
 * console.assert(tlsFailureOutcome("ECONNRESET") === "reset");
 * ```
 */
export function tlsFailureOutcome(errno: string): "reset" | "error" {
  return RESET_ERRNOS.has(errno) ? "reset" : "error";
}

/**
 * The TLS phase of a built-in session (`runSession`): upgrades `tcp` and
 * times it in `record.tlsUs`; on failure records it (phase `tls`, the
 * code as errno, outcome `error` or `reset`, `interrupted` on `stop`) and
 * resolves `undefined`, the connection closed.
 *
 * @example
 * ```ts
 * import { tlsPhase } from "./tls.ts";
 * import type { SessionRecord } from "./session_record.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = (listener.addr as Deno.NetAddr).port;
 * const accepted = listener.accept().then((conn) => conn.close());
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
 * const record: SessionRecord = { outcome: "error", phase: "handshake", bytesReceived: 0, errors: [] };
 * const conn = await tlsPhase(tcp, { hostname: "127.0.0.1", port }, {}, 1000, undefined, record);
 * console.assert(conn === undefined && record.phase === "tls" && record.errno === "ETLSEOF");
 * await accepted;
 * listener.close();
 * ```
 */
export async function tlsPhase(
  tcp: Deno.TcpConn,
  to: Destination,
  tls: TlsOptions,
  timeoutMs: number,
  stop: AbortSignal | undefined,
  record: SessionRecord,
): Promise<Deno.TlsConn | undefined> {
  const establishedAt = performance.now();
  try {
    const conn = await upgradeToTls(tcp, to, tls, timeoutMs, stop);
    record.tlsUs = (performance.now() - establishedAt) * 1000;
    return conn;
  } catch (error) {
    const errno = error instanceof TlsHandshakeError ? error.errno : tlsErrnoOf(error);
    record.errors.push({ phase: "tls", operation: "connect", errno });
    record.outcome = stop?.aborted ? "interrupted" : tlsFailureOutcome(errno);
    record.phase = "tls";
    record.errno = errno;
    return undefined;
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
