/**
 * The destinations and source addresses of the raw loop, taken in turn:
 * each new socket goes to the next destination, bound to the next source.
 *
 * A source is bound with `IP_BIND_ADDRESS_NO_PORT` and port 0: the kernel
 * then picks the port at `connect`, knowing the whole 4-tuple, so each
 * (source, destination) pair has its own ephemeral ports and TIME_WAIT
 * reuse still works. Binding a port at `bind` time would make it unique
 * per source address alone and cap the rate (docs/tcp-facts.md).
 *
 * @module
 */

import { encodeSockaddr, type Libc, LINUX } from "./libc.ts";
import type { RawDestination } from "./loop_plan.ts";

/** Opens the raw loop's sockets over its destinations and sources, round-robin. */
export class AddressSpread {
  readonly #libc: Libc;
  readonly #destinations: Uint8Array<ArrayBuffer>[];
  readonly #sources: Uint8Array<ArrayBuffer>[];
  readonly #one = new Uint8Array([1, 0, 0, 0]);
  #next: number;
  /** The destination of the socket {@link AddressSpread.open} opened last. */
  sockaddr: Uint8Array<ArrayBuffer>;

  /**
   * Encodes every address once.
   *
   * @example
   * ```ts
   * import { openLibc } from "./libc.ts";
   * import { AddressSpread } from "./address_spread.ts";
   * const libc = openLibc();
   * const spread = new AddressSpread(libc, [
   *   { address: "127.0.0.1", port: 9001 },
   *   { address: "127.0.0.1", port: 9002 },
   * ], ["127.0.0.2"]);
   * const ports: number[] = [];
   * for (let i = 0; i < 3; i++) {
   *   const fd = spread.open();
   *   console.assert(fd >= 0);
   *   ports.push((spread.sockaddr[2] << 8) | spread.sockaddr[3]);
   *   libc.symbols.close(fd);
   * }
   * libc.close();
   * console.assert(ports.join() === "9001,9002,9001");
   * ```
   */
  constructor(
    libc: Libc,
    destinations: readonly RawDestination[],
    sources: readonly string[] = [],
    from = 0,
  ) {
    if (destinations.length === 0) throw new RangeError("A session loop needs a destination");
    this.#libc = libc;
    this.#destinations = destinations.map((d) => encodeSockaddr(d.address, d.port));
    this.#sources = sources.map((address) => encodeSockaddr(address, 0));
    this.#next = from;
    this.sockaddr = this.#destinations[0];
  }

  /**
   * A nonblocking socket toward the next destination, bound to the next
   * source address: its fd, or `-errno` when `socket`, `setsockopt` or
   * `bind` failed (the socket is closed then).
   */
  open(): number {
    const c = this.#libc.symbols;
    const turn = this.#next++;
    const to = this.#destinations[turn % this.#destinations.length];
    this.sockaddr = to;
    const family = to.byteLength === 16 ? LINUX.AF_INET : LINUX.AF_INET6;
    const fd = c.socket(family, LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC, 0);
    if (fd < 0 || this.#sources.length === 0) return fd < 0 ? -this.#libc.errno() : fd;
    const source = this.#sources[turn % this.#sources.length];
    const level = LINUX.IPPROTO_IP;
    if (
      c.setsockopt(fd, level, LINUX.IP_BIND_ADDRESS_NO_PORT, this.#one, 4) < 0 ||
      c.bind(fd, source, source.byteLength) < 0
    ) {
      const errno = this.#libc.errno();
      c.close(fd);
      return -errno;
    }
    return fd;
  }

  /** `connect` of `fd` to the destination {@link AddressSpread.open} took for it. */
  connect(fd: number): number {
    return this.connectTo(fd, this.sockaddr);
  }

  /** `connect` of `fd` to `sockaddr` (a destination remembered when the socket was opened). */
  connectTo(fd: number, sockaddr: Uint8Array<ArrayBuffer>): number {
    return this.#libc.symbols.connect(fd, sockaddr, sockaddr.byteLength);
  }
}
