/**
 * How the deno engine lets a pending read report what the kernel already
 * holds before the session decides who closed first.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * Gives the pending read the turns it needs to report what Deno's last
 * socket poll (epoll) found. A FIN already queued at our socket usually
 * comes in the same epoll event as the connect's completion (strace: EPOLLIN
 * | EPOLLOUT | EPOLLRDHUP), so the read completes at once, but its EOF
 * reaches the session several promise turns later: a microtask (as before)
 * saw none of them. Two setImmediate turns (microseconds; a timer turn costs
 * 1-2 ms and halved this engine's rate) see them all: 3,000 sessions at
 * concurrency 50 against a C server closing at accept, checked one by one
 * against the kernel's TIME_WAIT rows, had 66 sessions counted clean while
 * the server held their TIME_WAIT after one turn, none after two. A FIN that
 * arrives after that poll, while this event loop is busy with other sessions
 * (hundreds of microseconds under load), still looks like the answer to
 * ours: the deno engine has no view of the socket's state, so against a
 * server whose close lands in that window (a Deno server, closing at accept)
 * it counts some of those sessions clean; the raw engine reads TCP_INFO
 * right before its FIN.
 *
 * @example
 * ```ts
 * import { afterSocketPoll } from "./socket_poll.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * (await listener.accept()).close(); // the server closes first
 * // The server's FIN reaches us some event-loop turns after its close()
 * // returns (a read started then took 30 setImmediate turns): wait for it.
 * await new Promise((resolve) => setTimeout(resolve, 5));
 * let eof = false;
 * const read = conn.read(new Uint8Array(16)).then((n) => eof = n === null);
 * await afterSocketPoll();
 * console.assert(eof, "the queued FIN was seen");
 * await read;
 * conn.close();
 * listener.close();
 * ```
 */
export async function afterSocketPoll(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.resolve(); // the settled read publishes its result
}
