/**
 * A burst's sockets, opened, bound and registered with epoll before the
 * burst's shared instant: the burst itself is then only `connect()` calls,
 * which is what its spread should measure (socket, bind and epoll_ctl took
 * about half of each open in the loop otherwise).
 *
 * @module
 */

import type { AddressSpread } from "./address_spread.ts";
import type { SocketCalls } from "./socket_calls.ts";

/** One socket ready to connect: its fd, its loop slot and its destination. */
export interface PreparedSocket {
  /** The nonblocking socket. */
  fd: number;
  /** The loop slot it is registered under. */
  slot: number;
  /** The `struct sockaddr` it connects to. */
  to: Uint8Array<ArrayBuffer>;
}

/**
 * Opens up to `count` sockets, taking their slots from `free`; returns them
 * in the order to use them (`pop()` gives the first). Stops early at an
 * open that fails: the burst's own open of that session reports the errno.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { AddressSpread } from "./address_spread.ts";
 * import { SocketCalls } from "./socket_calls.ts";
 * import { prepareSockets } from "./prepared.ts";
 * const libc = openLibc();
 * const ep = libc.symbols.epoll_create1(0);
 * const spread = new AddressSpread(libc, [{ address: "127.0.0.1", port: 9 }]);
 * const ready = prepareSockets(spread, new SocketCalls(libc), ep, [1, 0], 2);
 * console.assert(ready.length === 2 && ready[ready.length - 1].slot === 0);
 * for (const socket of ready) libc.symbols.close(socket.fd);
 * libc.symbols.close(ep);
 * libc.close();
 * ```
 */
export function prepareSockets(
  spread: AddressSpread,
  calls: SocketCalls,
  ep: number,
  free: number[],
  count: number,
): PreparedSocket[] {
  const ready: PreparedSocket[] = [];
  for (let i = 0; i < count && free.length > 0; i++) {
    const fd = spread.open();
    if (fd < 0) break;
    const slot = free.pop()!;
    calls.register(ep, fd, slot);
    ready.push({ fd, slot, to: spread.sockaddr });
  }
  return ready.reverse();
}
