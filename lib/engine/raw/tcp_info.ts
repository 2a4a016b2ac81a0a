/**
 * The kernel's own view of one socket, `getsockopt(fd, IPPROTO_TCP,
 * TCP_INFO)`, read by the raw engine at the moments that decide a verdict:
 * right after the handshake (how many SYNs it took, the RTT) and right
 * before our FIN (has the server already closed, is anything we sent still
 * unacknowledged).
 *
 * Offsets are those of `struct tcp_info` in `<linux/tcp.h>` (x86_64, checked
 * with `offsetof`): state at 0, unacked at 24, rtt at 68, total_retrans at
 * 100. The kernel copies `min(optlen, sizeof)` bytes, so asking for the
 * first 104 works on every kernel since 2.6.
 *
 * @module
 */

import { TCP_STATES, type TcpState } from "../../base/tcp_state.ts";
import { type Libc, LINUX } from "./libc.ts";

/** A socket's state as TCP_INFO reports it, e.g. `CLOSE_WAIT`; `UNKNOWN` for no state. */
export type KernelTcpState = "UNKNOWN" | Exclude<TcpState, "NEW_SYN_RECV">;

/** What TCP_INFO says of a socket at one moment. */
export interface TcpInfoSample {
  /** The socket's state, e.g. `CLOSE_WAIT` once the server's FIN arrived. */
  state: KernelTcpState;
  /** Segments sent and not yet acknowledged by the peer. */
  unacked: number;
  /** Smoothed round-trip time, microseconds. */
  rttUs: number;
  /** Segments retransmitted over the socket's life, SYNs included. */
  totalRetrans: number;
}

const TCP_INFO_BYTES = 104;

/** A reusable reader: one buffer per event loop, no allocation per call but the sample. */
export class TcpInfoReader {
  readonly #libc: Libc;
  readonly #buffer = new Uint8Array(TCP_INFO_BYTES);
  readonly #view = new DataView(this.#buffer.buffer);
  readonly #length = new Uint8Array(4);
  readonly #lengthView = new DataView(this.#length.buffer);

  /** Creates a reader on a loaded libc. */
  constructor(libc: Libc) {
    this.#libc = libc;
  }

  /**
   * Reads TCP_INFO of `fd`; `undefined` when the call fails (not a TCP socket).
   *
   * @example
   * ```ts
   * import { LINUX, openLibc } from "./libc.ts";
   * import { TcpInfoReader } from "./tcp_info.ts";
   * const libc = openLibc();
   * const fd = libc.symbols.socket(LINUX.AF_INET, LINUX.SOCK_STREAM | LINUX.SOCK_CLOEXEC, 0);
   * const sample = new TcpInfoReader(libc).read(fd);
   * console.assert(sample?.state === "CLOSE" && sample.totalRetrans === 0);
   * libc.symbols.close(fd);
   * libc.close();
   * ```
   */
  read(fd: number): TcpInfoSample | undefined {
    this.#lengthView.setUint32(0, TCP_INFO_BYTES, true);
    const result = this.#libc.symbols.getsockopt(
      fd,
      LINUX.IPPROTO_TCP,
      LINUX.TCP_INFO,
      this.#buffer,
      this.#length,
    );
    if (result !== 0) return undefined;
    const view = this.#view;
    return {
      state: tcpInfoState(view.getUint8(0)),
      unacked: view.getUint32(24, true),
      rttUs: view.getUint32(68, true),
      totalRetrans: view.getUint32(100, true),
    };
  }
}

/** `tcpi_state` by its number (`TCP_STATES[n - 1]`); a request socket's or no state is `UNKNOWN`. */
function tcpInfoState(n: number): KernelTcpState {
  const state = TCP_STATES[n - 1];
  return state === undefined || state === "NEW_SYN_RECV" ? "UNKNOWN" : state;
}
