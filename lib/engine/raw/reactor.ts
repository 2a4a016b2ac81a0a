/**
 * An async reactor over one epoll instance: the raw engine's readiness
 * source for scripted sessions, which are async functions sharing one event
 * loop with the worker's own timers and messages, so unlike
 * `runSessionLoop` it may hold the thread only briefly (1 ms at a time).
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
 * interval and stop message keep running). After a couple of empty polls
 * it blocks in a synchronous `epoll_wait` of at most 1 ms, as
 * `runSessionLoop` does, and the kernel wakes it within microseconds of an
 * event: against the C server in another process (bench/scenario_bench.ts,
 * 2 workers, C=100) parks fell from about 4,000 to 10 per worker in 4 s,
 * context switches from 44k to 19k. Blocks that keep seeing nothing make
 * it park in the thread-pool `epoll_wait` for a while (block_policy.ts).
 * Spinning longer did not pay: connect, closeWrite, expectEof against a
 * server in another process, 0, 2 and 8 empty turns gave 4.7-5.7k
 * sessions/s at concurrency 1 and 9-18k/s at 50 with no order between them
 * (noise of +-30%; the server and the client share two cores, so a
 * spinning client takes the server's CPU).
 * A parked wait returns on any event, on its bounded timeout, or when the
 * last socket is removed (the eventfd), so the loop then closes its fds and
 * a test or worker can end. Timeouts and stop signals are JS timers and
 * listeners (one timer and one listener per signal for all waits), so they
 * fire while the loop is parked.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { Deadline } from "./deadline_heap.ts";
import { BlockPolicy } from "./block_policy.ts";
import { EpollSet, WAKE_SLOT } from "./epoll_set.ts";
import { type Libc, LINUX } from "./libc.ts";
import { WaitTimer } from "./wait_timer.ts";

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
  /**
   * Longest synchronous `epoll_wait`, ms, after the empty polls and before
   * parking; 0 never holds the thread. Four blocks in a row that wake no
   * wait turn blocking off for 100 ms (longer each time, up to 1.6 s).
   *
   * @default {1}
   */
  blockMs?: number;
}

const MAX_EVENTS = 1024;
const READ_EVENTS = LINUX.EPOLLIN | LINUX.EPOLLRDHUP | LINUX.EPOLLHUP | LINUX.EPOLLERR;
const WRITE_EVENTS = LINUX.EPOLLOUT | LINUX.EPOLLHUP | LINUX.EPOLLERR;

type Side = "reader" | "writer";

/** One wait; its deadline is Infinity (and it is out of the heap) when it has none. */
interface Waiter extends Deadline {
  resolve: (how: Readiness) => void;
  signal: AbortSignal | undefined;
  entry: Entry;
  side: Side;
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
  readonly #blocks: BlockPolicy;
  readonly #entries: (Entry | undefined)[] = [];
  readonly #free: number[] = [];
  readonly #epoll: EpollSet;
  readonly #timeouts = new WaitTimer<Waiter>((due) =>
    this.#settle(due.entry, due.side, "timeout", due)
  );
  readonly #watched = new WeakSet<AbortSignal>();
  #sockets = 0;
  #parked = false;
  #loop: Promise<void> | undefined;

  /** A reactor on a loaded libc; nothing is opened until {@link Reactor.add}. */
  constructor(libc: Libc, options: ReactorOptions = {}) {
    this.#libc = libc;
    this.#epoll = new EpollSet(libc, MAX_EVENTS);
    this.#spinTurns = options.spinTurns ?? 2;
    this.#parkMs = options.parkMs ?? 50;
    this.#blocks = new BlockPolicy(options.blockMs ?? 1);
  }

  /** Sockets registered and not yet removed. */
  get sockets(): number {
    return this.#sockets;
  }

  /** The epoll fd, -1 while the loop is stopped (it exists only while sockets do). */
  get epollFd(): number {
    return this.#epoll.fd;
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
    if (this.#epoll.fd < 0) {
      const opened = this.#epoll.open();
      if (opened < 0) return opened;
    }
    const slot = this.#free.pop() ?? this.#entries.length;
    const entry = this.#entries[slot] ??
      { live: false, generation: 0, reader: [], writer: [] };
    this.#entries[slot] = entry;
    if (this.#epoll.add(fd, slot, entry.generation) < 0) {
      const errno = this.#libc.errno();
      this.#free.push(slot);
      if (!this.#loop) this.#epoll.close(); // no socket, no loop: no epoll fd either
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
    if (this.#sockets === 0 && this.#parked) this.#epoll.wake();
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
    side: Side,
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
      const waiter: Waiter = { resolve, signal, entry, side, deadline: Infinity, heapIndex: -1 };
      entry[side].push(waiter);
      if (Number.isFinite(timeoutMs)) this.#timeouts.add(waiter, timeoutMs);
      if (signal && !this.#watched.has(signal)) this.#watch(signal);
    });
  }

  /** Ends every wait of `side` (or only `only`, if it is still waiting) as `how`. */
  #settle(entry: Entry, side: Side, how: Readiness, only?: Waiter): void {
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
      this.#timeouts.remove(waiter);
      waiter.resolve(how);
    }
  }

  // One abort listener per signal, added at its first wait and kept until
  // it fires: thousands of sessions share the run's signal, and adding and
  // removing a listener per wait cost more than the rare abort's scan of
  // every wait.
  #watch(signal: AbortSignal): void {
    this.#watched.add(signal);
    signal.addEventListener("abort", () => {
      for (const entry of this.#entries) {
        if (!entry) continue;
        for (const side of ["reader", "writer"] as const) {
          for (const waiter of entry[side].filter((w) => w.signal === signal)) {
            this.#settle(entry, side, "aborted", waiter);
          }
        }
      }
    }, { once: true });
  }

  /** Ends the waits the last `n` events are for; returns how many sockets had one. */
  #dispatch(n: number): number {
    const epoll = this.#epoll;
    let woken = 0;
    for (let i = 0; i < n; i++) {
      const slot = epoll.slot(i);
      if (slot === WAKE_SLOT) {
        epoll.drainWake();
        continue;
      }
      const entry = this.#entries[slot];
      const mask = epoll.mask(i);
      // An event of a socket closed since: its slot moved to a new generation.
      if (!entry?.live || entry.generation !== epoll.generation(i)) continue;
      const reading = (mask & READ_EVENTS) !== 0 && entry.reader.length > 0;
      const writing = (mask & WRITE_EVENTS) !== 0 && entry.writer.length > 0;
      if (reading) this.#settle(entry, "reader", "ready");
      if (writing) this.#settle(entry, "writer", "ready");
      if (reading || writing) woken++;
    }
    return woken;
  }

  async #run(): Promise<void> {
    const epoll = this.#epoll;
    try {
      let idleTurns = 0;
      while (this.#sockets > 0) {
        await turn();
        if (this.#sockets === 0) break;
        const n = epoll.poll(0);
        if (n > 0) {
          this.#dispatch(n);
          idleTurns = 0;
          continue;
        }
        if (++idleTurns <= this.#spinTurns) continue;
        idleTurns = 0;
        if (this.#blocks.mayBlock(this.#timeouts.next)) {
          const ready = epoll.poll(this.#blocks.blockMs);
          // An event no one waits for (the ACK of our data, 40 ms late when
          // the server is this loop's own: EPOLLOUT) is no reason to block.
          if (ready > 0 && this.#dispatch(ready) > 0) {
            this.#blocks.woke();
            continue;
          }
          this.#blocks.missed();
          if (ready > 0) continue;
        }
        this.#parked = true;
        const parked = await epoll.park(this.#parkMs);
        this.#parked = false;
        if (parked > 0) this.#dispatch(parked);
      }
    } finally {
      epoll.close();
      this.#loop = undefined;
    }
  }
}
