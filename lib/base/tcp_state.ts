/**
 * The TCP states as the Linux kernel numbers and names them
 * (`include/net/tcp_states.h`): the `st` code of `/proc/net/tcp` and the
 * `tcpi_state` of TCP_INFO are the same numbers.
 *
 * @module
 */

/**
 * A TCP state as the kernel names it (`include/net/tcp_states.h`).
 *
 * @example
 * ```ts
 * import type { TcpState } from "./tcp_state.ts";
 * const leaksHandler = (state: TcpState) => state === "CLOSE_WAIT";
 * console.assert(!leaksHandler("TIME_WAIT"));
 * ```
 */
export type TcpState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "NEW_SYN_RECV";

/**
 * Every TCP state in kernel order: `TCP_STATES[code - 1]` is the state whose
 * `/proc/net/tcp` `st` code is `code` (01 ESTABLISHED .. 0C NEW_SYN_RECV).
 *
 * @example
 * ```ts
 * import { TCP_STATES } from "./tcp_state.ts";
 * console.assert(TCP_STATES[0x0a - 1] === "LISTEN");
 * console.assert(TCP_STATES.length === 12);
 * ```
 */
export const TCP_STATES: readonly TcpState[] = Object.freeze(
  [
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
    "NEW_SYN_RECV",
  ] as const,
);
