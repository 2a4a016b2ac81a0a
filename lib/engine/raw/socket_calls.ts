/**
 * The per-socket calls of the raw loop, each with its reusable buffer: one
 * allocation per event loop, none per call.
 *
 * @module
 */

import { type Libc, LINUX, sockaddrPort } from "./libc.ts";

/** Size of `struct epoll_event`: packed on x86_64, u32 events then u64 data. */
export const EPOLL_EVENT_SIZE = 12;

/** epoll events that say the peer sent its FIN, hung up or failed: a would-block then is suspect. */
export const HUNG_UP = LINUX.EPOLLRDHUP | LINUX.EPOLLHUP | LINUX.EPOLLERR;

/** `TCP_CLOSE` in `<netinet/tcp.h>`: no connection, none under way. */
const TCP_CLOSE = 7;

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

  /**
   * What a nonblocking `connect()` that returned -1 means, asked of the
   * socket as well as of errno: `EINPROGRESS` while the kernel has the
   * connection under way, the handshake's own error if it already failed
   * (as `SO_ERROR`, which this reads and so clears), else errno.
   *
   * errno alone misled: in 14 runs of 5 s at ~75k sessions/s, connect()
   * returned -1 with errno `EAGAIN` 5 times while TCP_INFO said the socket
   * was ESTABLISHED, and in a destinations bench run the kernel's
   * `TcpPassiveOpens` was one above synfin's handshakes (plus its
   * preflight): the session was counted `error` though the server had it.
   * A tight FFI loop of 1,000,000 connects never saw it, so the runtime
   * running on this thread between the call's return and the read of errno
   * (its own calls set errno: `EAGAIN` is a futex's) is the likely cause,
   * not proven. errno is trusted only once the socket says it is closed
   * with no error of its own (a route or port failure). See
   * docs/tcp-facts.md, "Inside connect()".
   *
   * @example
   * ```ts
   * import { encodeSockaddr, LINUX, openLibc } from "./libc.ts";
   * import { SocketCalls } from "./socket_calls.ts";
   * import { listenBelowEphemeral } from "../../testing/reference_servers.ts";
   * const listener = listenBelowEphemeral();
   * const libc = openLibc();
   * const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK, 0);
   * const to = encodeSockaddr("127.0.0.1", (listener.addr as Deno.NetAddr).port);
   * libc.symbols.connect(fd, to, to.byteLength);
   * libc.symbols.close(-1); // errno is now EBADF, as if something ran in between
   * console.assert(new SocketCalls(libc).connectErrno(fd) === LINUX.EINPROGRESS);
   * libc.symbols.close(fd);
   * libc.close();
   * listener.close();
   * ```
   */
  connectErrno(fd: number): number {
    const errno = this.#libc.errno();
    if (errno === LINUX.EINPROGRESS) return errno;
    // Anything but TCP_CLOSE is a connect under way.
    const state = this.#tcpState(fd);
    if (state !== undefined && state !== TCP_CLOSE) return LINUX.EINPROGRESS;
    const error = state !== undefined ? this.connectError(fd) : 0;
    return error !== 0 ? error : errno;
  }

  /**
   * What a `recv()` or `send()` that returned -1 means, asked of the socket
   * when errno could mislead (see {@link SocketCalls.connectErrno}: the
   * runtime's own futex calls leave `EAGAIN` behind). A hard error (a reset,
   * a retransmission timeout) moves the socket to TCP_CLOSE before the call
   * reports it, and TCP_CLOSE is final: so an error on a socket that is not
   * closed was a would-block. Before our FIN, only a reset (or a timeout,
   * which takes minutes) closes a socket, so a would-block on a closed one
   * was that reset, which the call consumed (the next `recv()` reads 0, a
   * FIN). After our FIN the server's FIN closes it too, possibly between the
   * call and this check, so there a would-block is believed; the FIN's own
   * event follows. `checkWouldBlock` is true only where that holds and epoll
   * reported a FIN, hang-up or error, so a plain would-block costs no system
   * call. Measured: 19 clean closes in 321,435 were read as resets when a
   * would-block after our FIN was checked too (bench/scenario_bench.ts).
   *
   * @example
   * ```ts
   * import { encodeSockaddr, LINUX, openLibc } from "./libc.ts";
   * import { SocketCalls } from "./socket_calls.ts";
   * import { listenBelowEphemeral } from "../../testing/reference_servers.ts";
   * const listener = listenBelowEphemeral();
   * const libc = openLibc();
   * const calls = new SocketCalls(libc);
   * const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM, 0);
   * const to = encodeSockaddr("127.0.0.1", (listener.addr as Deno.NetAddr).port);
   * libc.symbols.connect(fd, to, to.byteLength);
   * // A live socket: whatever errno said, the call would have blocked.
   * console.assert(calls.checkedErrno(fd, LINUX.ECONNRESET, true) === LINUX.EAGAIN);
   * libc.symbols.close(fd);
   * libc.close();
   * listener.close();
   * ```
   */
  checkedErrno(fd: number, errno: number, checkWouldBlock: boolean): number {
    if (errno === LINUX.EAGAIN && !checkWouldBlock) return errno;
    const state = this.#tcpState(fd);
    // Not a TCP socket (EBADF, ENOTSOCK): errno is all there is.
    if (state === undefined) return errno;
    const closed = state === TCP_CLOSE;
    if (errno === LINUX.EAGAIN) return closed ? LINUX.ECONNRESET : errno;
    return closed ? errno : LINUX.EAGAIN;
  }

  /**
   * tcpi_state alone, the first byte of struct tcp_info (the kernel copies
   * min(optlen, sizeof)); `undefined` if `fd` is no TCP socket.
   */
  #tcpState(fd: number): number | undefined {
    this.#lengthView.setUint32(0, 1, true);
    const info = this.#libc.symbols.getsockopt(
      fd,
      LINUX.IPPROTO_TCP,
      LINUX.TCP_INFO,
      this.#int,
      this.#length,
    );
    return info === 0 ? this.#int[0] : undefined;
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

  /** Bytes one {@link SocketCalls.recv} reads at most: a shorter read emptied the queue. */
  get recvCapacity(): number {
    return this.#scratch.byteLength;
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
