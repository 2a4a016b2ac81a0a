/**
 * The raw engine's event loop: nonblocking sockets on one epoll instance,
 * driving a worker's share of a load through the same lifecycle as
 * `runSession` (handshake, payload and first byte, hold, our FIN, the
 * server's FIN) and producing the same `SessionRecord`s.
 *
 * The loop is synchronous: it owns its thread (a Web Worker), so nothing else
 * needs the event loop while it runs; a stop arrives through a shared flag.
 * Every event of one `epoll_wait` batch is stamped with the time the batch
 * returned: the kernel finished those operations by then, and stamping each
 * event after handling the previous ones would add our own processing time.
 *
 * @module
 */

import { errnoName, type Libc, LINUX } from "./libc.ts";
import { AddressSpread } from "./address_spread.ts";
import { TimerWheel } from "./timer_wheel.ts";
import { connectOutcome, type Outcome, RESET_ERRNOS } from "../outcome.ts";
import type { SessionLoopHooks, SessionLoopPlan, SessionLoopResult } from "./loop_plan.ts";
import {
  failedOpenRecord,
  loopNotStarted,
  newSlot,
  noteHandshakeOver,
  receive,
  ReceiveEnd as End,
  sendPayload,
  type SessionSlot as Active,
  slotRecord,
  SlotState as State,
} from "./session_slot.ts";
import { EPOLL_EVENT_SIZE as EVENT_SIZE, HUNG_UP, SocketCalls } from "./socket_calls.ts";
import { prepareSockets } from "./prepared.ts";
import { TcpInfoReader } from "./tcp_info.ts";
import { LoopStarts } from "./loop_starts.ts";

const MAX_EVENTS = 1024;
const IDLE_WAIT_MS = 50;
// Closed loop: opens per turn before looking at events. connect() slows as a
// destination's ports fill (~4 ms a call at 20,000 to one ip:port): 16,000
// opened in one go took a minute, then all but the first epoll batch timed
// out, though the kernel had completed them. A burst still opens in one go.
const OPEN_BATCH = MAX_EVENTS;

/**
 * Runs sessions until the plan's bound is reached or `hooks.stopped()`, and
 * returns once every socket it opened is closed.
 *
 * The loop holds its thread until it returns, so a server it tests must not
 * share that thread: the engine runs it in a worker of its own.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { runSessionLoop } from "./session_loop.ts";
 * import { listenBelowEphemeral } from "../../testing/reference_servers.ts";
 * const listener = listenBelowEphemeral(); // a port that then has no listener
 * const port = (listener.addr as Deno.NetAddr).port;
 * listener.close();
 * const libc = openLibc();
 * const outcomes: string[] = [];
 * runSessionLoop(libc, {
 *   destinations: [{ address: "127.0.0.1", port }], concurrency: 2, sessions: 2,
 *   durationMs: null, rate: null, rateOffsetMs: 0,
 *   session: { holdMs: 0, connectTimeoutMs: 1000, closeTimeoutMs: 1000 },
 * }, { stopped: () => false, onRecord: (r) => outcomes.push(r.outcome) });
 * libc.close();
 * console.assert(outcomes.length === 2 && outcomes.every((o) => o === "refused"));
 * ```
 */
export function runSessionLoop(
  libc: Libc,
  plan: SessionLoopPlan,
  hooks: SessionLoopHooks,
): SessionLoopResult {
  const c = libc.symbols;
  const spread = new AddressSpread(libc, plan.destinations, plan.sources, plan.spreadFrom);
  const options = plan.session;
  const payload = options.send && options.send.byteLength > 0 ? options.send : undefined;
  const awaitResponse = options.awaitResponse !== false;
  const tracing = options.traceLimit !== undefined;
  const ep = c.epoll_create1(LINUX.SOCK_CLOEXEC);
  // ulimit -n 40..60 refuses even the epoll fd: a tester limit, not a throw in a worker.
  if (ep < 0) return loopNotStarted(errnoName(libc.errno()), hooks);

  const slots: (Active | undefined)[] = new Array(plan.concurrency);
  const free = Array.from({ length: plan.concurrency }, (_, i) => plan.concurrency - 1 - i);
  const events = new Uint8Array(EVENT_SIZE * MAX_EVENTS);
  const eventView = new DataView(events.buffer);
  const calls = new SocketCalls(libc);
  const tcpInfo = new TcpInfoReader(libc);

  let [timers, inFlight, maxInFlight, limitHit, idleMs] = [0, 0, 0, false, 0];
  let now = performance.now();
  const wheel = new TimerWheel(now);
  const start = now;
  const starts = new LoopStarts(plan, start);
  const { schedule } = starts;
  const progressMs = hooks.progressMs ?? 250;
  let nextProgress = start + progressMs;

  const mayStart = () => !limitHit && !hooks.stopped() && starts.more(now);
  const arm = (slot: number, s: Active, afterMs: number) => {
    s.timer = ++timers;
    wheel.arm(now + afterMs, slot, s.timer);
  };

  const finish = (slot: number, s: Active, outcome: Outcome, errno?: string) => {
    if (c.close(s.fd) < 0) {
      s.errors.push({ phase: s.phase, operation: "close", errno: errnoName(libc.errno()) });
    }
    slots[slot] = undefined;
    free.push(slot);
    inFlight--;
    if (outcome === "tester-limit") limitHit = true;
    hooks.onRecord(slotRecord(s, outcome, errno));
  };
  const failConnect = (slot: number, s: Active, errno: string) => {
    s.errors.push({ phase: "handshake", operation: "connect", errno });
    finish(slot, s, hooks.stopped() ? "interrupted" : connectOutcome(errno), errno);
  };

  const readAll = (s: Active, check = true, fin = false) => receive(s, calls, now, check, fin);
  const resetIn = (s: Active) => s.errors.find((e) => RESET_ERRNOS.has(e.errno));

  // Once the first byte came (or did not in time): the dwell, then our FIN.
  const hold = (slot: number, s: Active) => {
    // The first byte counts only if it came while we waited for it, as in runSession.
    if (s.state === State.AwaitFirstByte && s.firstByteAt !== undefined) {
      s.firstByteUs = (s.firstByteAt - s.writeStart) * 1000;
    }
    if (options.holdMs > 0 && !hooks.stopped()) {
      s.phase = "hold";
      s.state = State.Hold;
      arm(slot, s, options.holdMs);
      if (s.end !== End.None) decide(slot, s);
    } else {
      decide(slot, s);
    }
  };

  // Before our FIN: whatever the server already did decides the outcome.
  const decide = (slot: number, s: Active) => {
    if (hooks.stopped()) return finish(slot, s, "interrupted");
    const reset = resetIn(s);
    if (reset) {
      s.phase = reset.phase;
      return finish(slot, s, "reset", reset.errno);
    }
    // The kernel decides the race our last read may have lost: a socket
    // already in CLOSE_WAIT has the server's FIN queued, so the server closed first.
    const before = s.kernel && s.end === End.None ? tcpInfo.read(s.fd) : undefined;
    if (s.kernel && before) {
      s.kernel.stateBeforeFin = before.state;
      s.kernel.unackedBeforeFin = before.unacked;
      if (before.state === "CLOSE_WAIT") readAll(s);
    }
    if (s.end === End.Eof) return finish(slot, s, "server-closed-first");
    if (s.end === End.Error) return finish(slot, s, "error", s.endErrno);
    s.phase = "close";
    s.state = State.FinSent;
    s.finSentAt = now;
    if (c.shutdown(s.fd, LINUX.SHUT_WR) < 0) {
      s.errors.push({ phase: "close", operation: "closeWrite", errno: errnoName(libc.errno()) });
    }
    arm(slot, s, options.closeTimeoutMs);
    if (s.end !== End.None) closed(slot, s, false);
  };

  // After our FIN: the server's FIN, a reset, or nothing in time.
  const closed = (slot: number, s: Active, timedOut: boolean) => {
    const reset = resetIn(s);
    if (reset) {
      s.phase = reset.phase;
      return finish(slot, s, "reset", reset.errno);
    }
    if (timedOut) {
      const after = s.kernel && tcpInfo.read(s.fd);
      if (s.kernel && after) s.kernel.finAcked = after.state === "FIN_WAIT2";
      return finish(slot, s, hooks.stopped() ? "interrupted" : "no-fin");
    }
    if (s.end === End.Eof) return finish(slot, s, "clean");
    return finish(slot, s, "error", s.errors[s.errors.length - 1]?.errno);
  };
  const written = (slot: number, s: Active) => {
    if (s.wrote && awaitResponse) {
      s.state = State.AwaitFirstByte;
      arm(slot, s, options.closeTimeoutMs);
      if (s.firstByteAt !== undefined || s.end !== End.None) hold(slot, s);
    } else {
      hold(slot, s);
    }
  };

  const write = (slot: number, s: Active) => {
    const result = sendPayload(s, calls, payload!);
    if (result === "blocked") return; // EPOLLOUT resumes it
    s.wrote = result === "sent";
    written(slot, s);
  };

  const established = (slot: number, s: Active) => {
    s.handshakeUs = ((s.establishedAt ?? now) - (s.intendedStart ?? s.calledAt)) * 1000;
    // Only a trace line shows the local port: getsockname() is 1 of 7 calls a session.
    if (tracing) s.localPort = calls.localPort(s.fd);
    const info = s.kernel ? undefined : tcpInfo.read(s.fd);
    if (info) s.kernel = { synRetransmits: info.totalRetrans, rttUs: info.rttUs };
    if (payload) {
      s.phase = "firstByte";
      s.state = State.Writing;
      s.writeStart = now;
      write(slot, s);
    } else {
      hold(slot, s);
    }
  };

  const burst = Math.min(plan.concurrency, plan.sessions ?? Infinity);
  const openBatch = plan.prepare ? Infinity : OPEN_BATCH;
  const ready = plan.prepare ? prepareSockets(spread, calls, ep, free, burst) : [];
  hooks.beforeStart?.();

  const open = (intendedStart: number | undefined) => {
    starts.claimed++;
    const prepared = ready.pop();
    const fd = prepared?.fd ?? spread.open();
    const calledAt = performance.now();
    if (fd < 0) {
      const errno = errnoName(-fd);
      const outcome = connectOutcome(errno);
      if (outcome === "tester-limit") limitHit = true;
      return hooks.onRecord(failedOpenRecord(errno, outcome, calledAt));
    }
    const slot = prepared?.slot ?? free.pop()!;
    const s = newSlot(fd, intendedStart, calledAt);
    slots[slot] = s;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (!prepared) calls.register(ep, fd, slot);
    s.calledAt = performance.now();
    if ((prepared ? spread.connectTo(fd, prepared.to) : spread.connect(fd)) === 0) {
      now = performance.now();
      return established(slot, s);
    }
    const errno = calls.connectErrno(fd);
    if (errno !== LINUX.EINPROGRESS) return failConnect(slot, s, errnoName(errno));
    // A burst's connects go out back to back: nothing in between.
    if (!plan.prepare) noteHandshakeOver(s, tcpInfo);
    // From this connect's own call: the turn's `now` may be long past.
    now = s.calledAt;
    arm(slot, s, options.connectTimeoutMs);
  };

  const onEvent = (slot: number, mask: number) => {
    const s = slots[slot];
    if (!s) return;
    const hungUp = (mask & HUNG_UP) !== 0; // a would-block then is suspect (checkedErrno)
    const fin = (mask & (LINUX.EPOLLRDHUP | LINUX.EPOLLERR)) === LINUX.EPOLLRDHUP; // queued, no error
    if (s.state === State.Connecting) {
      // Linux flags a failed connect with EPOLLERR; writable alone is success,
      // so SO_ERROR is read only then (one system call fewer per session).
      if (mask & LINUX.EPOLLERR) {
        const error = calls.connectError(s.fd);
        if (error !== 0) return failConnect(slot, s, errnoName(error));
      }
      if ((mask & (LINUX.EPOLLOUT | LINUX.EPOLLERR | LINUX.EPOLLHUP)) === 0) return;
      // Read before moving on: a server that answers or closes at once has
      // its bytes (or FIN) in this same event.
      if (mask & (LINUX.EPOLLIN | HUNG_UP)) readAll(s, hungUp, fin);
      return established(slot, s);
    }
    if (mask & (LINUX.EPOLLIN | HUNG_UP)) readAll(s, hungUp && s.state !== State.FinSent, fin);
    switch (s.state) {
      case State.Writing:
        // A reset surfaces on the next send as ECONNRESET or EPIPE.
        if ((mask & LINUX.EPOLLOUT) || s.end !== End.None) write(slot, s);
        return;
      case State.AwaitFirstByte:
        if (s.firstByteAt !== undefined || s.end !== End.None) hold(slot, s);
        return;
      case State.Hold:
        if (s.end !== End.None) decide(slot, s);
        return;
      case State.FinSent:
        if (s.end !== End.None) closed(slot, s, false);
        return;
    }
  };
  const interrupt = (slot: number, s: Active) => {
    if (s.state === State.Connecting) {
      s.errors.push({ phase: "handshake", operation: "connect", errno: "EINTR" });
    }
    finish(slot, s, "interrupted");
  };

  const expire = (slot: number, timer: number) => {
    const s = slots[slot];
    if (!s || s.timer !== timer) return; // the session moved on: a lazily cancelled timer
    s.timer = 0;
    switch (s.state) {
      case State.Connecting: // its EPOLLOUT may still be queued behind others
        return s.establishedAt ? established(slot, s) : failConnect(slot, s, "ETIMEDOUT");
      case State.AwaitFirstByte:
        return hold(slot, s);
      case State.Hold:
        return decide(slot, s);
      case State.FinSent:
        return closed(slot, s, true);
    }
  };

  try {
    while (true) {
      now = performance.now();
      let opened = 0;
      if (!schedule) {
        const target = starts.concurrency(now, plan.concurrency);
        while (inFlight < target && opened++ < openBatch && mayStart()) open(undefined);
        now = performance.now();
      } else {
        while (schedule.due(now) && mayStart()) {
          if (inFlight < plan.concurrency) open(schedule.start());
          else schedule.drop();
        }
      }
      if (hooks.stopped()) {
        slots.forEach((s, slot) => s && interrupt(slot, s));
        break;
      }
      const starting = mayStart();
      if (inFlight === 0 && !starting) break;
      // Read now: in an open loop `now` is the last connect's call, before its
      // own work, so the next start's wait and the idle time count from here.
      const waitFrom = performance.now();
      let waitMs = timers > 0 && wheel.armed > 0 ? 1 : IDLE_WAIT_MS;
      if (starting) waitMs = starts.waitMs(waitFrom, waitMs);
      if (opened > openBatch) waitMs = 0; // more to open: only collect what completed
      const n = c.epoll_wait(ep, events, MAX_EVENTS, waitMs);
      now = performance.now();
      idleMs += now - waitFrom;
      for (let i = 0; i < n; i++) {
        const at = i * EVENT_SIZE;
        onEvent(eventView.getUint32(at + 4, true), eventView.getUint32(at, true));
      }
      wheel.advance(now, expire);
      if (hooks.onProgress && now >= nextProgress) {
        hooks.onProgress(inFlight);
        nextProgress = now + progressMs;
      }
    }
  } finally {
    for (const s of slots) if (s) c.close(s.fd);
    for (const unused of ready) c.close(unused.fd);
    c.close(ep);
  }
  return { maxInFlight, starts: starts.counts(), idleMs };
}
