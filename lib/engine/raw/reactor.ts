/**
 * An async reactor over one epoll instance: the raw engine's readiness
 * source for scripted sessions, which are async functions sharing one event
 * loop with the worker's own timers and messages, so unlike
 * `runSessionLoop` it must never hold the thread.
 *
 * Sockets are registered edge-triggered; a session tries its call first and
 * waits only after `EAGAIN`, so a waiter is a promise resolved by the next
 * event of its socket (a spurious wake-up just retries the call).
 *
 * How it waits, measured on this machine (Deno 2.9.6, 2 shared cores): a
 * synchronous `epoll_wait(ep, ..., 0)` costs 0.3 us, a `setImmediate` turn
 * 6 us, a `nonblocking: true` (thread pool) `epoll_wait` 36 us round trip,
 * and an eventfd wake of a parked wait 75 us until its promise settles. So
 * the loop polls synchronously after each `setImmediate` turn (the event
 * loop's timers and I/O run in that turn, so a worker's schedule, progress
 * interval and stop message keep running), and parks in the thread-pool
 * `epoll_wait` only after a couple of empty polls. Spinning longer did not
 * pay: connect, closeWrite, expectEof against a server in another process,
 * 0, 2 and 8 empty turns gave 4.7-5.7k sessions/s at concurrency 1 and
 * 9-18k/s at 50 with no order between them (noise of +-30%; the server and
 * the client share two cores, so a spinning client takes the server's CPU).
 * A parked wait returns on any event, on its bounded timeout, or when the
 * last socket is removed (the eventfd), so the loop then closes its fds and
 * a test or worker can end. Timeouts and stop signals are JS timers and
 * listeners, so they fire while the loop is parked.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { type Libc, LINUX } from "./libc.ts";
import { EPOLL_EVENT_SIZE } from "./socket_calls.ts";

/** How a wait ended. */
export type Readiness = "ready" | "timeout" | "aborted" | "closed";

/** Options of {@link Reactor}. */
export interface ReactorOptions {
  /**
   * Empty synchronous polls (one `setImmediate` turn each, about 6 us)
   * before parking in the thread-pool `epoll_wait` (about 75 us to wake).
   *
   * @default {2}
   */
  spinTurns?: number;
  /**
   * Longest park, ms: a bound, not a clock; nothing waits for it to end.
   *
   * @default {50}
   */
  parkMs?: number;
}

const MAX_EVENTS = 1024;
const WAKE_SLOT = 0xffffffff;
// eventfd's EFD_NONBLOCK and EFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC, as the SOCK_ flags.
const EFD_FLAGS = LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC;
const READ_EVENTS = LINUX.EPOLLIN | LINUX.EPOLLRDHUP | LINUX.EPOLLHUP | LINUX.EPOLLERR;
const WRITE_EVENTS = LINUX.EPOLLOUT | LINUX.EPOLLHUP | LINUX.EPOLLERR;

interface Waiter {
  resolve: (how: Readiness) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
}

interface Entry {
  /** Registered and not removed. */
  live: boolean;
  /** Bumped at each removal: tags the slot's epoll events. */
  generation: number;
  /** Waits for input; usually none or one (a read and a write may wait at once). */
  reader: Waiter[];
  /** Waits for room to write, or for the connect to end. */
  writer: Waiter[];
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One epoll instance and the waits on its sockets. Open it once per event
 * loop; it creates its epoll fd with the first socket and closes it when the
 * last one is removed.
 *
 * @example
 * ```ts
 * import { LINUX, openLibc } from "./libc.ts";
 * import { Reactor } from "./reactor.ts";
 * const libc = openLibc();
 * const reactor = new Reactor(libc);
 * const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK, 0);
 * const slot = reactor.add(fd);
 * // An unconnected TCP socket reports EPOLLOUT|EPOLLHUP at once.
 * console.assert(await reactor.writable(slot, 1000) === "ready");
 * libc.symbols.close(fd);
 * reactor.remove(slot);
 * await reactor.stopped();
 * libc.close();
 * ```
 */
export class Reactor {
  readonly #libc: Libc;
  readonly #spinTurns: number;
  readonly #parkMs: number;
  readonly #entries: (Entry | undefined)[] = [];
  readonly #free: number[] = [];
  readonly #events = new Uint8Array(EPOLL_EVENT_SIZE * MAX_EVENTS);
  readonly #eventView = new DataView(this.#events.buffer);
  readonly #registration = new Uint8Array(EPOLL_EVENT_SIZE);
  readonly #registrationView = new DataView(this.#registration.buffer);
  readonly #counter = new Uint8Array(8);
  readonly #signals = new Map<
    AbortSignal,
    { waiters: Map<Waiter, () => void>; onAbort: () => void }
  >();
  #ep = -1;
  #wakeFd = -1;
  #sockets = 0;
  #parked = false;
  #loop: Promise<void> | undefined;

  /** A reactor on a loaded libc; nothing is opened until {@link Reactor.add}. */
  constructor(libc: Libc, options: ReactorOptions = {}) {
    this.#libc = libc;
    this.#spinTurns = options.spinTurns ?? 2;
    this.#parkMs = options.parkMs ?? 50;
  }

  /** Sockets registered and not yet removed. */
  get sockets(): number {
    return this.#sockets;
  }

  /** The epoll fd, -1 while the loop is stopped (it exists only while sockets do). */
  get epollFd(): number {
    return this.#ep;
  }

  /** Whether the loop runs (it does while a socket is registered, and briefly after). */
  get running(): boolean {
    return this.#loop !== undefined;
  }

  /**
   * Registers a nonblocking socket; returns its slot, or `-errno` when the
   * epoll instance could not be created (`EMFILE` at a low `ulimit -n`).
   */
  add(fd: number): number {
    if (this.#ep < 0) {
      const opened = this.#open();
      if (opened < 0) return opened;
    }
    const slot = this.#free.pop() ?? this.#entries.length;
    const entry = this.#entries[slot] ??
      { live: false, generation: 0, reader: [], writer: [] };
    this.#entries[slot] = entry;
    const events = LINUX.EPOLLIN | LINUX.EPOLLOUT | LINUX.EPOLLRDHUP | LINUX.EPOLLET;
    if (this.#register(fd, events, slot, entry.generation) < 0) {
      const errno = this.#libc.errno();
      this.#free.push(slot);
      if (!this.#loop) this.#close(); // no socket, no loop: no epoll fd either
      return -errno;
    }
    entry.live = true;
    this.#sockets++;
    this.#loop ??= this.#run();
    return slot;
  }

  /**
   * Forgets `slot` once its fd was closed (which took it out of the epoll
   * set): its pending waits end as `closed`, and a late event of the old fd
   * is ignored by its generation. Removing twice is harmless.
   */
  remove(slot: number): void {
    const entry = this.#entries[slot];
    if (!entry?.live) return;
    entry.live = false;
    entry.generation = (entry.generation + 1) >>> 0;
    this.#settle(entry, "reader", "closed");
    this.#settle(entry, "writer", "closed");
    this.#free.push(slot);
    this.#sockets--;
    if (this.#sockets === 0 && this.#parked) this.#wake();
  }

  /** Resolves at the next input, FIN, error or hang-up of `slot`, or at `timeoutMs` or `signal`. */
  readable(slot: number, timeoutMs = Infinity, signal?: AbortSignal): Promise<Readiness> {
    return this.#wait(slot, "reader", timeoutMs, signal);
  }

  /** Resolves when `slot` may be written (or connected, or failed), or at `timeoutMs` or `signal`. */
  writable(slot: number, timeoutMs = Infinity, signal?: AbortSignal): Promise<Readiness> {
    return this.#wait(slot, "writer", timeoutMs, signal);
  }

  /** Resolves once the loop has stopped and closed its fds (at once if it is not running). */
  async stopped(): Promise<void> {
    while (this.#loop) await this.#loop;
  }

  #wait(
    slot: number,
    side: "reader" | "writer",
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Readiness> {
    const entry = this.#entries[slot];
    if (!entry?.live) return Promise.resolve("closed");
    if (signal?.aborted) return Promise.resolve("aborted");
    if (timeoutMs <= 0) return Promise.resolve("timeout");
    // Several waits on one side all wake at its next event (replacing one by
    // the next would have two concurrent reads wake each other forever).
    return new Promise<Readiness>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined, signal };
      entry[side].push(waiter);
      if (Number.isFinite(timeoutMs)) {
        waiter.timer = setTimeout(() => this.#settle(entry, side, "timeout", waiter), timeoutMs);
      }
      if (signal) this.#watch(signal, waiter, () => this.#settle(entry, side, "aborted", waiter));
    });
  }

  /** Ends every wait of `side` (or only `only`, if it is still waiting) as `how`. */
  #settle(entry: Entry, side: "reader" | "writer", how: Readiness, only?: Waiter): void {
    const waiters = entry[side];
    if (waiters.length === 0) return;
    let ending: Waiter[];
    if (only) {
      const at = waiters.indexOf(only);
      if (at < 0) return;
      ending = waiters.splice(at, 1);
    } else {
      ending = waiters.splice(0);
    }
    for (const waiter of ending) {
      if (waiter.timer !== undefined) clearTimeout(waiter.timer);
      if (waiter.signal) this.#unwatch(waiter.signal, waiter);
      waiter.resolve(how);
    }
  }

  // One abort listener per signal, not per wait: thousands of sessions share
  // the run's signal, and removing one of n listeners scans all n.
  #watch(signal: AbortSignal, waiter: Waiter, onAbort: () => void): void {
    let watched = this.#signals.get(signal);
    if (!watched) {
      const waiters = new Map<Waiter, () => void>();
      const fireAll = () => {
        for (const fire of [...waiters.values()]) fire();
      };
      watched = { waiters, onAbort: fireAll };
      this.#signals.set(signal, watched);
      signal.addEventListener("abort", fireAll, { once: true });
    }
    watched.waiters.set(waiter, onAbort);
  }

  #unwatch(signal: AbortSignal, waiter: Waiter): void {
    const watched = this.#signals.get(signal);
    if (!watched) return;
    watched.waiters.delete(waiter);
    if (watched.waiters.size === 0) {
      signal.removeEventListener("abort", watched.onAbort);
      this.#signals.delete(signal);
    }
  }

  #register(fd: number, events: number, slot: number, generation: number): number {
    const view = this.#registrationView;
    view.setUint32(0, events >>> 0, true);
    view.setUint32(4, slot, true);
    view.setUint32(8, generation, true);
    return this.#libc.symbols.epoll_ctl(this.#ep, LINUX.EPOLL_CTL_ADD, fd, this.#registration);
  }

  #open(): number {
    const c = this.#libc.symbols;
    const ep = c.epoll_create1(LINUX.SOCK_CLOEXEC);
    if (ep < 0) return -this.#libc.errno();
    const wakeFd = c.eventfd(0, EFD_FLAGS);
    if (wakeFd < 0) {
      const errno = this.#libc.errno();
      c.close(ep);
      return -errno;
    }
    this.#ep = ep;
    this.#wakeFd = wakeFd;
    if (this.#register(wakeFd, LINUX.EPOLLIN | LINUX.EPOLLET, WAKE_SLOT, 0) < 0) {
      const errno = this.#libc.errno();
      this.#close();
      return -errno;
    }
    return 0;
  }

  #close(): void {
    const c = this.#libc.symbols;
    if (this.#wakeFd >= 0) c.close(this.#wakeFd);
    if (this.#ep >= 0) c.close(this.#ep);
    this.#wakeFd = this.#ep = -1;
  }

  #wake(): void {
    this.#counter.fill(0);
    this.#counter[0] = 1;
    this.#libc.symbols.write(this.#wakeFd, this.#counter, 8n);
  }

  #dispatch(n: number): void {
    const view = this.#eventView;
    for (let i = 0; i < n; i++) {
      const at = i * EPOLL_EVENT_SIZE;
      const mask = view.getUint32(at, true);
      const slot = view.getUint32(at + 4, true);
      if (slot === WAKE_SLOT) {
        this.#libc.symbols.read(this.#wakeFd, this.#counter, 8n);
        continue;
      }
      const entry = this.#entries[slot];
      // An event of a socket closed since: its slot moved to a new generation.
      if (!entry?.live || entry.generation !== view.getUint32(at + 8, true)) continue;
      if (mask & READ_EVENTS) this.#settle(entry, "reader", "ready");
      if (mask & WRITE_EVENTS) this.#settle(entry, "writer", "ready");
    }
  }

  async #run(): Promise<void> {
    const c = this.#libc.symbols;
    try {
      let idleTurns = 0;
      while (this.#sockets > 0) {
        await turn();
        if (this.#sockets === 0) break;
        const n = c.epoll_wait(this.#ep, this.#events, MAX_EVENTS, 0);
        if (n > 0) {
          this.#dispatch(n);
          idleTurns = 0;
          continue;
        }
        if (++idleTurns <= this.#spinTurns) continue;
        idleTurns = 0;
        // The event buffer belongs to the parked call until it settles;
        // nothing else reads or writes it meanwhile.
        this.#parked = true;
        const parked = await c.epoll_wait_parked(this.#ep, this.#events, MAX_EVENTS, this.#parkMs);
        this.#parked = false;
        if (parked > 0) this.#dispatch(parked);
      }
    } finally {
      this.#close();
      this.#loop = undefined;
    }
  }
}
