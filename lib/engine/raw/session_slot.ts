/**
 * The state the raw loop keeps for one session in flight, and the record it
 * becomes: the same {@link SessionRecord} as the `deno` engine's sessions.
 *
 * @module
 */

import { connectOutcome, handshakeCompletedBefore, type Outcome, type Phase } from "../outcome.ts";
import type { SessionLoopHooks, SessionLoopResult } from "./loop_plan.ts";
import type { OperationError, SessionRecord } from "../session.ts";
import type { SessionKernelEvidence } from "../kernel_evidence.ts";
import { errnoName, LINUX } from "./libc.ts";
import type { SocketCalls } from "./socket_calls.ts";
import type { TcpInfoReader } from "./tcp_info.ts";

/** Where a session is in its lifecycle. */
export const SlotState = Object.freeze({
  Connecting: 0,
  Writing: 1,
  AwaitFirstByte: 2,
  Hold: 3,
  FinSent: 4,
});
/** One of {@link SlotState}. */
export type SlotState = (typeof SlotState)[keyof typeof SlotState];

/** How the server's side of the stream ended, as far as we have read. */
export const ReceiveEnd = Object.freeze({ None: 0, Eof: 1, Error: 2 });
/** One of {@link ReceiveEnd}. */
export type ReceiveEnd = (typeof ReceiveEnd)[keyof typeof ReceiveEnd];

/** One session in flight. Times are `performance.now()` ms. */
export interface SessionSlot {
  /** The socket. */
  fd: number;
  /** The lifecycle step it is waiting in. */
  state: SlotState;
  /** The phase errors and the outcome belong to. */
  phase: Phase;
  /** Token of the one timer that counts; older expiries are ignored. */
  timer: number;
  /** Open loop: when the session was meant to start. */
  intendedStart: number | undefined;
  /** When `connect()` was called. */
  calledAt: number;
  /** When the handshake was seen over right after `connect()` (TCP_INFO), before any event. */
  establishedAt?: number;
  /** Handshake time, us, once established. */
  handshakeUs?: number;
  /** When the payload's first byte was written. */
  writeStart: number;
  /** Payload bytes written so far. */
  sent: number;
  /** Whether the whole payload was written. */
  wrote: boolean;
  /** When the first response byte was read. */
  firstByteAt?: number;
  /** First-byte time, us, when it came while we waited for it. */
  firstByteUs?: number;
  /** When our FIN was sent. */
  finSentAt: number;
  /** How the server's side ended. */
  end: ReceiveEnd;
  /** When it ended. */
  endAt: number;
  /** errno of a receive error. */
  endErrno?: string;
  /** Our local port. */
  localPort?: number;
  /** Bytes received. */
  bytesReceived: number;
  /** Every failed operation, in order. */
  errors: OperationError[];
  /** TCP_INFO at the handshake and before our FIN. */
  kernel?: SessionKernelEvidence;
}

/**
 * A slot for a socket whose `connect()` is about to be called.
 *
 * @example
 * ```ts
 * import { newSlot, SlotState } from "./session_slot.ts";
 * const slot = newSlot(7, undefined, performance.now());
 * console.assert(slot.state === SlotState.Connecting && slot.phase === "handshake");
 * ```
 */
export function newSlot(
  fd: number,
  intendedStart: number | undefined,
  calledAt: number,
): SessionSlot {
  return {
    fd,
    state: SlotState.Connecting,
    phase: "handshake",
    timer: 0,
    intendedStart,
    calledAt,
    writeStart: 0,
    sent: 0,
    wrote: false,
    finSentAt: 0,
    end: ReceiveEnd.None,
    endAt: 0,
    bytesReceived: 0,
    errors: [],
  };
}

/**
 * The record of a session whose socket could not even be opened (`EMFILE`,
 * say): it failed in its handshake, with `errno`.
 *
 * @example
 * ```ts
 * import { failedOpenRecord } from "./session_slot.ts";
 * const record = failedOpenRecord("EMFILE", "tester-limit", 0);
 * console.assert(record.errors[0].operation === "connect");
 * ```
 */
export function failedOpenRecord(errno: string, outcome: Outcome, calledAt: number): SessionRecord {
  return {
    outcome,
    phase: "handshake",
    errno,
    bytesReceived: 0,
    errors: [{ phase: "handshake", operation: "connect", errno }],
    connectCalledAt: performance.timeOrigin + calledAt,
  };
}

/**
 * The record of a finished session.
 *
 * @example
 * ```ts
 * import { newSlot, slotRecord } from "./session_slot.ts";
 * const slot = newSlot(7, undefined, 0);
 * slot.errors.push({ phase: "handshake", operation: "connect", errno: "ECONNREFUSED" });
 * const record = slotRecord(slot, "refused", "ECONNREFUSED");
 * console.assert(record.outcome === "refused" && record.handshakeUs === undefined);
 * ```
 */
export function slotRecord(s: SessionSlot, outcome: Outcome, errno?: string): SessionRecord {
  const record: SessionRecord = {
    outcome,
    phase: s.phase,
    bytesReceived: s.bytesReceived,
    errors: s.errors,
    connectCalledAt: performance.timeOrigin + s.calledAt,
  };
  if (errno !== undefined) record.errno = errno;
  if (s.handshakeUs !== undefined) record.handshakeUs = s.handshakeUs;
  else if (errno !== undefined && handshakeCompletedBefore(errno)) {
    // SO_ERROR ECONNRESET: the server accepted and reset before we saw the
    // connect complete; the handshake was done by now (an upper bound).
    record.handshakeUs = (performance.now() - (s.intendedStart ?? s.calledAt)) * 1000;
  }
  if (s.localPort !== undefined) record.localPort = s.localPort;
  if (s.firstByteUs !== undefined) record.firstByteUs = s.firstByteUs;
  if (outcome === "clean") record.closeUs = (s.endAt - s.finSentAt) * 1000;
  if (s.kernel) record.kernel = s.kernel;
  return record;
}

/**
 * Right after a nonblocking `connect()` said `EINPROGRESS`: whether the
 * kernel already finished the handshake, as it does on loopback inside the
 * call (the server's SYN-ACK is processed before `connect()` returns). Then
 * the handshake is stamped now, and its TCP_INFO kept, rather than when the
 * loop reaches the socket's EPOLLOUT: at C=10,000 that event waited in the
 * ready list a median 450 ms behind others (measured, connect() itself 9 us),
 * which is the tester's queue, not the server's handshake. The lifecycle
 * still moves on at the event, so who closes first is decided as before
 * (docs/tcp-facts.md, "Inside connect()").
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { newSlot, noteHandshakeOver } from "./session_slot.ts";
 * import { TcpInfoReader } from "./tcp_info.ts";
 * const libc = openLibc();
 * const slot = newSlot(-1, undefined, 0); // not a socket: nothing is noted
 * noteHandshakeOver(slot, new TcpInfoReader(libc));
 * console.assert(slot.establishedAt === undefined && slot.kernel === undefined);
 * libc.close();
 * ```
 */
export function noteHandshakeOver(s: SessionSlot, tcpInfo: TcpInfoReader): void {
  const info = tcpInfo.read(s.fd);
  if (info?.state !== "ESTABLISHED" && info?.state !== "CLOSE_WAIT") return;
  s.establishedAt = performance.now();
  s.kernel = { synRetransmits: info.totalRetrans, rttUs: info.rttUs };
}

/**
 * Writes what is left of `payload` until the socket would block: `sent` once
 * all of it is written, `blocked` to resume at EPOLLOUT, or `failed` with
 * the error noted (a reset surfaces here as ECONNRESET or EPIPE).
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { newSlot, sendPayload } from "./session_slot.ts";
 * import { SocketCalls } from "./socket_calls.ts";
 * const libc = openLibc();
 * const slot = newSlot(-1, undefined, 0); // not a socket: EBADF
 * const result = sendPayload(slot, new SocketCalls(libc), new Uint8Array(3));
 * console.assert(result === "failed" && slot.errors[0].errno === "EBADF");
 * libc.close();
 * ```
 */
export function sendPayload(
  s: SessionSlot,
  calls: SocketCalls,
  payload: Uint8Array,
): "sent" | "blocked" | "failed" {
  while (s.sent < payload.byteLength) {
    const chunk = s.sent === 0 ? payload : payload.subarray(s.sent);
    const n = calls.send(s.fd, chunk, BigInt(chunk.byteLength));
    if (n >= 0) {
      s.sent += n;
      continue;
    }
    // A would-block on send is rare (a full send buffer): always checked.
    const errno = calls.checkedErrno(s.fd, -n, true);
    if (errno === LINUX.EAGAIN) return "blocked";
    if (errno === LINUX.EINTR) continue;
    s.errors.push({ phase: "firstByte", operation: "write", errno: errnoName(errno) });
    return "failed";
  }
  return "sent";
}

/**
 * Reads what the socket holds until it would block (edge-triggered epoll
 * reports new data once), noting the first byte, the server's FIN or a
 * receive error, stamped `now`. `checkWouldBlock`: before our FIN, epoll
 * reported the peer's FIN, a hang-up or an error (or it is not known), so a
 * would-block is checked against the socket before it is believed
 * ({@link SocketCalls.checkedErrno}). `finQueued`: epoll reported the peer's
 * FIN and no error, so a short read of data is also the end.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { newSlot, receive, ReceiveEnd } from "./session_slot.ts";
 * import { SocketCalls } from "./socket_calls.ts";
 * const libc = openLibc();
 * const slot = newSlot(-1, undefined, 0); // not a socket: EBADF
 * receive(slot, new SocketCalls(libc), 1);
 * console.assert(slot.end === ReceiveEnd.Error && slot.endErrno === "EBADF");
 * libc.close();
 * ```
 */
export function receive(
  s: SessionSlot,
  calls: SocketCalls,
  now: number,
  checkWouldBlock = true,
  finQueued = false,
): void {
  while (s.end === ReceiveEnd.None) {
    const n = calls.recv(s.fd);
    if (n > 0) {
      s.firstByteAt ??= now;
      s.bytesReceived += n;
      // The FIN was queued behind these bytes and the read emptied the
      // queue: the next recv() would read 0 (one call of 8 an HTTP session).
      if (finQueued && n < calls.recvCapacity) {
        s.end = ReceiveEnd.Eof;
        s.endAt = now;
      }
    } else if (n === 0) {
      s.end = ReceiveEnd.Eof;
      s.endAt = now;
    } else {
      const errno = calls.checkedErrno(s.fd, -n, checkWouldBlock);
      if (errno === LINUX.EAGAIN) return;
      if (errno === LINUX.EINTR) continue;
      s.endErrno = errnoName(errno);
      s.errors.push({ phase: s.phase, operation: "read", errno: s.endErrno });
      s.end = ReceiveEnd.Error;
      s.endAt = now;
    }
  }
}

/**
 * What a loop that could not create its epoll instance returns: a tester
 * limit (EMFILE, ENFILE) is one failed open handed to `hooks`, so the run
 * ends as the tester's; any other errno is a bug, thrown.
 *
 * @example
 * ```ts
 * import { loopNotStarted } from "./session_slot.ts";
 * const outcomes: string[] = [];
 * loopNotStarted("EMFILE", { stopped: () => false, onRecord: (r) => outcomes.push(r.outcome) });
 * console.assert(outcomes[0] === "tester-limit");
 * ```
 */
export function loopNotStarted(errno: string, hooks: SessionLoopHooks): SessionLoopResult {
  const outcome = connectOutcome(errno);
  if (outcome !== "tester-limit") throw new Error(`Cannot create an epoll instance: ${errno}`);
  hooks.onRecord(failedOpenRecord(errno, outcome, performance.now()));
  return { maxInFlight: 0 };
}
