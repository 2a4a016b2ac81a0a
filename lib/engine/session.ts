/**
 * One TCP session with every phase of its life timed: the three-way
 * handshake, the first response byte, and the four-way close.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { errnoOf } from "../base/errno.ts";
import {
  connectOutcome,
  handshakeCompletedBefore,
  type Operation,
  type Phase,
  RESET_ERRNOS,
} from "./outcome.ts";
import type { Target } from "../base/target.ts";
import { Deadlines } from "./deadlines.ts";
import { afterSocketPoll } from "./socket_poll.ts";
import type { OperationError, SessionRecord } from "./session_record.ts";
import { isBareFin, type TlsClose, type TlsOptions, tlsPhase } from "./tls.ts";

// What a session measured lives in session_record.ts; importers of the
// session find it here too.
export type { MarkValue, OperationError, SessionRecord } from "./session_record.ts";

/** How a session behaves. Times are milliseconds. */
export interface SessionOptions {
  /** Bytes to write once connected; the first response byte is timed. */
  send?: Uint8Array;
  /**
   * Wait for the first response byte after `send`. A burst probe writes one
   * byte only so that an unacknowledged write shows a half-open connection,
   * and does not wait for an answer.
   *
   * @default {true}
   */
  awaitResponse?: boolean;
  /** Dwell after the handshake (and response) before we send our FIN. */
  holdMs: number;
  /** Give up the handshake after this long (`connect-timeout`). */
  connectTimeoutMs: number;
  /**
   * After our FIN, wait this long for the server's FIN (`no-fin` past it).
   * Also bounds the wait for the first response byte.
   */
  closeTimeoutMs: number;
  /**
   * A scenario module's URL: each session runs its default function (see
   * `Session`) instead of the built-in lifecycle; `send` and `holdMs` become
   * its `session.params`.
   */
  scenario?: string;
  /** Scripted sessions: `--message-rate`, exchanges per second per connection (`session.params`). */
  messageRate?: number;
  /** `--tls`: every session speaks TLS over its connection (deno engine only). */
  tls?: TlsOptions;
  /** Keep a histogram per phase per second (`IntervalHistograms`). @default {false} */
  intervalHistograms?: boolean;
  /** `--trace`: sample at most this many records over the workers (`TraceSample`); else none. */
  traceLimit?: number;
}

/** Defaults: half-close at once, 3 s to connect, 2 s for the server's FIN. */
export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  holdMs: 0,
  connectTimeoutMs: 3000,
  closeTimeoutMs: 2000,
};

/** Per-call extras for {@link runSession}. */
export interface SessionRunOptions {
  /** Stops the session (outcome `interrupted`). */
  signal?: AbortSignal;
  /**
   * `performance.now()` at which the session was meant to start (open loop):
   * the handshake is timed from here, so queueing delay is not hidden.
   */
  intendedStart?: number;
  /**
   * Index of the session in its load: a target with several destinations
   * has it connect to destination `sessionIndex % count` (round-robin).
   *
   * @default {0}
   */
  sessionIndex?: number;
}

interface ReceiveEnd {
  kind: "eof" | "error";
  at: number;
  errno?: string;
  tlsClose?: TlsClose;
}

/** One sweeper per event loop for every session's timeouts. */
const DEADLINES = new Deadlines();

/**
 * Received bytes are counted, never inspected, so every session on this event
 * loop reads into the same scratch buffer instead of allocating its own.
 */
const SCRATCH = new Uint8Array(64 * 1024);

/**
 * Opens one connection to `target` (to one of its destinations, by
 * `run.sessionIndex`), runs the lifecycle and closes it. Never
 * throws: every failure becomes the record's outcome, and the socket is
 * closed before the promise resolves.
 *
 * @example
 * ```ts
 * import { DEFAULT_SESSION_OPTIONS, runSession } from "./session.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const record = await runSession(server.target, DEFAULT_SESSION_OPTIONS);
 * console.assert(record.outcome === "clean", record.outcome);
 * console.assert(record.handshakeUs !== undefined && record.closeUs !== undefined);
 * ```
 */
export async function runSession(
  target: Target,
  options: SessionOptions,
  run: SessionRunOptions = {},
): Promise<SessionRecord> {
  const errors: OperationError[] = [];
  const record: SessionRecord = { outcome: "error", phase: "handshake", bytesReceived: 0, errors };
  const stop = run.signal;
  if (stop?.aborted) return { ...record, outcome: "interrupted" };

  const calledAt = performance.now();
  const connectStart = run.intendedStart ?? calledAt;
  let conn: Deno.TcpConn | Deno.TlsConn;
  const connectAbort = new AbortController();
  const onStop = () => connectAbort.abort();
  stop?.addEventListener("abort", onStop, { once: true });
  record.connectCalledAt = performance.timeOrigin + calledAt;
  const connectDeadline = DEADLINES.add(
    options.connectTimeoutMs,
    () => connectAbort.abort(new DOMException("connect timed out", "TimeoutError")),
  );
  const all = target.destinations;
  const to = all ? all[(run.sessionIndex ?? 0) % all.length] : target;
  try {
    conn = await Deno.connect({
      hostname: to.hostname,
      port: to.port,
      transport: "tcp",
      signal: connectAbort.signal,
    });
  } catch (error) {
    const errno = errnoOf(connectAbort.signal.reason ?? error);
    errors.push({ phase: "handshake", operation: "connect", errno });
    record.errno = errno;
    record.outcome = stop?.aborted ? "interrupted" : connectOutcome(errno);
    if (handshakeCompletedBefore(errno)) {
      record.handshakeUs = (performance.now() - connectStart) * 1000;
    }
    return record;
  } finally {
    DEADLINES.cancel(connectDeadline);
    stop?.removeEventListener("abort", onStop);
  }
  record.handshakeUs = (performance.now() - connectStart) * 1000;
  record.localPort = conn.localAddr.port;
  const tls = options.tls;
  if (tls) {
    const upgraded = await tlsPhase(conn, to, tls, options.connectTimeoutMs, stop, record);
    if (!upgraded) return record;
    conn = upgraded;
  }

  let phase: Phase = "handshake";
  let firstByteAt: number | undefined;
  let onFirstByte: (() => void) | undefined;
  const received = (async (): Promise<ReceiveEnd> => {
    try {
      while (true) {
        const n = await conn.read(SCRATCH);
        if (n === null) {
          return { kind: "eof", at: performance.now(), ...(tls && { tlsClose: "closeNotify" }) };
        }
        if (firstByteAt === undefined) {
          firstByteAt = performance.now();
          onFirstByte?.();
        }
        record.bytesReceived += n;
      }
    } catch (error) {
      if (tls && isBareFin(error)) {
        return { kind: "eof", at: performance.now(), tlsClose: "bareFin" };
      }
      const errno = errnoOf(error);
      // EINTR: our own close() interrupted the pending read; not the server's doing.
      if (errno !== "EINTR") errors.push({ phase, operation: "read", errno });
      return { kind: "error", at: performance.now(), errno };
    }
  })();
  let receiveEnd: ReceiveEnd | undefined;
  received.then((end) => receiveEnd = end);

  try {
    if (options.send && options.send.byteLength > 0) {
      phase = "firstByte";
      const writeStart = performance.now();
      const firstByte = new Promise<void>((resolve) => onFirstByte = resolve);
      const wrote = await attempt(errors, phase, "write", () => writeAll(conn, options.send!));
      if (wrote && options.awaitResponse !== false) {
        await settleFirst([firstByte, received], options.closeTimeoutMs, stop);
        if (firstByteAt !== undefined) {
          record.firstByteUs = (firstByteAt - writeStart) * 1000;
          // A server that answers and closes (HTTP/1.0) often sends its FIN
          // with the response: give the reader's next read one event-loop
          // turn to see it, or our FIN would be mistaken for the first one.
          // A setImmediate turn first (4 us, against 1-2 ms for a timer turn:
          // a timer turn per session capped this engine's HTTP/1.0 rate below
          // a plain client's); it does not always poll the pending read, so
          // when the FIN has not shown yet, one timer turn as before.
          await new Promise((resolve) => setImmediate(resolve));
          await Promise.resolve();
          if (receiveEnd === undefined) await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
    }
    if (options.holdMs > 0 && !stop?.aborted) {
      phase = "hold";
      await settleFirst([received], options.holdMs, stop);
    }
    // Who closed first is decided here, before our FIN: a server FIN already
    // queued at our socket (a server that closes, or answers and closes, at
    // accept) must be seen now, or the session would take it for the answer
    // to ours and count clean while the server holds the TIME_WAIT.
    if (receiveEnd === undefined && !stop?.aborted) await afterSocketPoll();
    if (stop?.aborted) {
      return finish(conn, received, { ...record, outcome: "interrupted", phase }, record);
    }
    const early = resetIn(errors);
    if (early) return finish(conn, received, { ...record, ...early }, record);
    if (receiveEnd?.kind === "eof") {
      // The server's FIN arrived before ours: it closed first and holds the TIME_WAIT.
      return finish(conn, received, { ...record, outcome: "server-closed-first", phase }, record);
    }
    if (receiveEnd?.kind === "error") {
      return finish(conn, received, {
        ...record,
        outcome: "error",
        phase,
        errno: receiveEnd.errno,
      }, record);
    }

    phase = "close";
    const finSentAt = performance.now();
    await attempt(errors, phase, "closeWrite", () => conn.closeWrite());
    const end = await settleFirst([received], options.closeTimeoutMs, stop);
    const reset = resetIn(errors);
    if (reset) return finish(conn, received, { ...record, ...reset }, record);
    if (end === "timeout") {
      return finish(conn, received, { ...record, outcome: "no-fin", phase }, record);
    }
    if (end === "aborted") {
      return finish(conn, received, { ...record, outcome: "interrupted", phase }, record);
    }
    if (receiveEnd?.kind === "eof") {
      record.closeUs = (receiveEnd.at - finSentAt) * 1000;
      return finish(conn, received, { ...record, outcome: "clean", phase }, record);
    }
    const last = errors[errors.length - 1];
    return finish(
      conn,
      received,
      { ...record, outcome: "error", phase, errno: last?.errno },
      record,
    );
  } catch (error) {
    // Unexpected: keep the promise contract (never throw, always close).
    errors.push({ phase, operation: "read", errno: errnoOf(error) });
    return finish(
      conn,
      received,
      { ...record, outcome: "error", phase, errno: errnoOf(error) },
      record,
    );
  }
}

function resetIn(
  errors: OperationError[],
): Pick<SessionRecord, "outcome" | "phase" | "errno"> | undefined {
  const reset = errors.find((e) => RESET_ERRNOS.has(e.errno));
  return reset && { outcome: "reset", phase: reset.phase, errno: reset.errno };
}

async function attempt(
  errors: OperationError[],
  phase: Phase,
  operation: Operation,
  action: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    errors.push({ phase, operation, errno: errnoOf(error) });
    return false;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) offset += await conn.write(bytes.subarray(offset));
}

/** Waits for the first of `promises`, a deadline, or the stop signal. */
function settleFirst(
  promises: Promise<unknown>[],
  timeoutMs: number,
  stop: AbortSignal | undefined,
): Promise<"settled" | "timeout" | "aborted"> {
  return new Promise((resolve) => {
    const deadline = DEADLINES.add(timeoutMs, () => done("timeout"));
    const onAbort = () => done("aborted");
    stop?.addEventListener("abort", onAbort, { once: true });
    for (const p of promises) p.then(() => done("settled"), () => done("settled"));
    function done(how: "settled" | "timeout" | "aborted") {
      DEADLINES.cancel(deadline);
      stop?.removeEventListener("abort", onAbort);
      resolve(how);
    }
  });
}

async function finish(
  conn: Deno.Conn,
  received: Promise<ReceiveEnd>,
  record: SessionRecord,
  counted: { bytesReceived: number },
): Promise<SessionRecord> {
  try {
    conn.close();
  } catch (error) {
    record.errors.push({ phase: record.phase, operation: "close", errno: errnoOf(error) });
  }
  const end = await received;
  // The reader kept counting after the record was copied: take its final count.
  const closed = record.outcome === "clean" || record.outcome === "server-closed-first";
  const tlsClose = closed ? end.tlsClose : undefined;
  return { ...record, bytesReceived: counted.bytesReceived, ...(tlsClose && { tlsClose }) };
}
