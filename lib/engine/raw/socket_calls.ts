/**
 * The per-socket calls of the raw loop, each with its reusable buffer: one
 * allocation per event loop, none per call.
 *
 * @module
 */

import { type Libc, LINUX, sockaddrPort } from "./libc.ts";

/** Size of `struct epoll_event`: packed on x86_64, u32 events then u64 data. */
export const EPOLL_EVENT_SIZE = 12;

/** Socket calls over one loaded libc. */
export class SocketCalls {
  readonly #libc: Libc;
  readonly #registration = new Uint8Array(EPOLL_EVENT_SIZE);
  readonly #registrationView = new DataView(this.#registration.buffer);
  readonly #int = new Uint8Array(4);
  readonly #intView = new DataView(this.#int.buffer);
  readonly #length = new Uint8Array(4);
  readonly #lengthView = new DataView(this.#length.buffer);
  readonly #name = new Uint8Array(28);
  readonly #scratch = new Uint8Array(64 * 1024);
  // size_t parameters are 64-bit: Deno takes them as bigint.
  readonly #scratchLength = BigInt(this.#scratch.byteLength);

  /**
   * Wraps a loaded libc.
   *
   * @example
   * ```ts
   * import { openLibc } from "./libc.ts";
   * import { SocketCalls } from "./socket_calls.ts";
   * const libc = openLibc();
   * const calls = new SocketCalls(libc);
   * console.assert(calls.recv(-1) < 0); // -EBADF
   * libc.close();
   * ```
   */
  constructor(libc: Libc) {
    this.#libc = libc;
  }

  /** Adds `fd` to epoll `ep`, edge-triggered for input, output and the peer's FIN, tagged `slot`. */
  register(ep: number, fd: number, slot: number): number {
    const view = this.#registrationView;
    view.setUint32(
      0,
      (LINUX.EPOLLIN | LINUX.EPOLLOUT | LINUX.EPOLLRDHUP | LINUX.EPOLLET) >>> 0,
      true,
    );
    // A slot is reused only after its fd was closed (which removes it from
    // the epoll set), so the slot alone names the session.
    view.setUint32(4, slot, true);
    view.setUint32(8, 0, true);
    return this.#libc.symbols.epoll_ctl(ep, LINUX.EPOLL_CTL_ADD, fd, this.#registration);
  }

  /** `SO_ERROR` of a connecting socket: 0 once established, else the errno. */
  connectError(fd: number): number {
    this.#lengthView.setUint32(0, 4, true);
    this.#libc.symbols.getsockopt(fd, LINUX.SOL_SOCKET, LINUX.SO_ERROR, this.#int, this.#length);
    return this.#intView.getInt32(0, true);
  }

  /** The socket's local port, or `undefined` if `getsockname` fails. */
  localPort(fd: number): number | undefined {
    this.#lengthView.setUint32(0, this.#name.byteLength, true);
    return this.#libc.symbols.getsockname(fd, this.#name, this.#length) === 0
      ? sockaddrPort(this.#name)
      : undefined;
  }

  /** One `recv` into the scratch buffer: bytes read, 0 at the peer's FIN, or `-errno`. */
  recv(fd: number): number {
    const n = Number(this.#libc.symbols.recv(fd, this.#scratch, this.#scratchLength, 0));
    return n >= 0 ? n : -this.#libc.errno();
  }

  /** One `send` without SIGPIPE: bytes written, or `-errno`. */
  send(fd: number, bytes: Uint8Array, length: bigint): number {
    const n = Number(this.#libc.symbols.send(fd, bytes, length, LINUX.MSG_NOSIGNAL));
    return n >= 0 ? n : -this.#libc.errno();
  }
}
