/**
 * The epoll instance of a {@link Reactor}, with the eventfd that wakes its
 * parked wait and the buffers its calls reuse: what the reactor needs of
 * the kernel, apart from the sockets themselves.
 *
 * @module
 */

import { type Libc, LINUX } from "./libc.ts";
import { EPOLL_EVENT_SIZE } from "./socket_calls.ts";

/** The tag of the eventfd's events (a socket's tag is its slot). */
export const WAKE_SLOT = 0xffffffff;
// eventfd's EFD_NONBLOCK and EFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC, as the SOCK_ flags.
const EFD_FLAGS = LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC;

/**
 * An epoll fd and its wake-up eventfd, opened and closed together; events
 * carry a slot and a generation (`epoll_data` is 64 bits: two u32s).
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { EpollSet, WAKE_SLOT } from "./epoll_set.ts";
 * const libc = openLibc();
 * const epoll = new EpollSet(libc, 8);
 * console.assert(epoll.open() === 0 && epoll.fd >= 0);
 * epoll.wake();
 * console.assert(epoll.poll(0) === 1 && epoll.slot(0) === WAKE_SLOT);
 * epoll.drainWake();
 * console.assert(epoll.poll(0) === 0);
 * epoll.close();
 * libc.close();
 * ```
 */
export class EpollSet {
  readonly #libc: Libc;
  readonly #maxEvents: number;
  readonly #events: Uint8Array<ArrayBuffer>;
  readonly #eventView: DataView;
  readonly #registration = new Uint8Array(EPOLL_EVENT_SIZE);
  readonly #registrationView = new DataView(this.#registration.buffer);
  readonly #counter = new Uint8Array(8);
  #ep = -1;
  #wakeFd = -1;

  /** Nothing is opened until {@link EpollSet.open}. */
  constructor(libc: Libc, maxEvents: number) {
    this.#libc = libc;
    this.#maxEvents = maxEvents;
    this.#events = new Uint8Array(EPOLL_EVENT_SIZE * maxEvents);
    this.#eventView = new DataView(this.#events.buffer);
  }

  /** The epoll fd, -1 while closed. */
  get fd(): number {
    return this.#ep;
  }

  /** Creates the epoll fd and the eventfd: 0, or `-errno` (both closed then). */
  open(): number {
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
      this.close();
      return -errno;
    }
    return 0;
  }

  /** Closes both fds; harmless when closed. */
  close(): void {
    const c = this.#libc.symbols;
    if (this.#wakeFd >= 0) c.close(this.#wakeFd);
    if (this.#ep >= 0) c.close(this.#ep);
    this.#wakeFd = this.#ep = -1;
  }

  /** Adds a socket, edge-triggered for input, output and the peer's FIN: 0, or -1 (see errno). */
  add(fd: number, slot: number, generation: number): number {
    const events = LINUX.EPOLLIN | LINUX.EPOLLOUT | LINUX.EPOLLRDHUP | LINUX.EPOLLET;
    return this.#register(fd, events, slot, generation);
  }

  /** Makes a parked (or the next) wait return with the eventfd's event. */
  wake(): void {
    this.#counter.fill(0);
    this.#counter[0] = 1;
    this.#libc.symbols.write(this.#wakeFd, this.#counter, 8n);
  }

  /** Resets the eventfd after its event. */
  drainWake(): void {
    this.#libc.symbols.read(this.#wakeFd, this.#counter, 8n);
  }

  /** A synchronous `epoll_wait` (0: a poll): events ready, or -1. */
  poll(timeoutMs: number): number {
    return this.#libc.symbols.epoll_wait(this.#ep, this.#events, this.#maxEvents, timeoutMs);
  }

  /**
   * `epoll_wait` on Deno's thread pool, leaving the event loop free. The
   * event buffer belongs to the call until it settles: nothing else may
   * poll meanwhile.
   */
  park(timeoutMs: number): Promise<number> {
    return this.#libc.symbols.epoll_wait_parked(
      this.#ep,
      this.#events,
      this.#maxEvents,
      timeoutMs,
    );
  }

  /** The event mask of event `i` of the last wait. */
  mask(i: number): number {
    return this.#eventView.getUint32(i * EPOLL_EVENT_SIZE, true);
  }

  /** The slot event `i` is tagged with. */
  slot(i: number): number {
    return this.#eventView.getUint32(i * EPOLL_EVENT_SIZE + 4, true);
  }

  /** The generation event `i` is tagged with. */
  generation(i: number): number {
    return this.#eventView.getUint32(i * EPOLL_EVENT_SIZE + 8, true);
  }

  #register(fd: number, events: number, slot: number, generation: number): number {
    const view = this.#registrationView;
    view.setUint32(0, events >>> 0, true);
    view.setUint32(4, slot, true);
    view.setUint32(8, generation, true);
    return this.#libc.symbols.epoll_ctl(this.#ep, LINUX.EPOLL_CTL_ADD, fd, this.#registration);
  }
}
