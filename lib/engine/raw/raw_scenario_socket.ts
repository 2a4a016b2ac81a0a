/**
 * The raw engine's socket for scripted sessions: nonblocking libc sockets on
 * one {@link Reactor} per layer (per worker thread), so thousands of async
 * sessions share one epoll instance and none of Deno's per-event-loop
 * limits (docs/tcp-facts.md). Its edge over the `deno` engine's layer is the
 * kernel's own word: who closed first comes from TCP_INFO (`CLOSE_WAIT`
 * before our FIN), and each session carries the same kernel evidence as a
 * built-in raw session.
 *
 * @module
 */

import { isIP } from "node:net";
import { delay } from "../../base/delay.ts";
import type { Destination } from "../../base/target.ts";
import type { SessionKernelEvidence } from "../kernel_evidence.ts";
import type { Operation } from "../outcome.ts";
import { type ScenarioSocket, SocketFailure, type SocketLayer } from "../scripted/socket.ts";
import { resolveAddress } from "./address.ts";
import { encodeSockaddr, errnoName, type Libc, LINUX } from "./libc.ts";
import { Reactor, type ReactorOptions, type Readiness } from "./reactor.ts";
import { SocketCalls } from "./socket_calls.ts";
import { TcpInfoReader, type TcpInfoSample } from "./tcp_info.ts";

/** A {@link SocketLayer} on libc, with its reactor. */
export interface RawSocketLayer extends SocketLayer {
  /** The reactor its sockets wait on (its loop runs only while a socket is open). */
  readonly reactor: Reactor;
  /**
   * Resolves once the reactor's loop has stopped after the last socket
   * closed: its parked `epoll_wait` is an async op for about 75 us after
   * that, which Deno's test sanitizer (and a clean exit) must wait for.
   */
  stopped(): Promise<void>;
}

/** What every socket of one layer shares: one buffer per event loop, none per call. */
interface Shared {
  libc: Libc;
  reactor: Reactor;
  calls: SocketCalls;
  tcpInfo: TcpInfoReader;
  scratch: Uint8Array;
  scratchLength: bigint;
  linger: Uint8Array;
  addresses: Map<string, Promise<string>>;
  /** Encoded `struct sockaddr` by IP literal and port (at most {@link MAX_SOCKADDRS}). */
  sockaddrs: Map<string, Map<number, Uint8Array<ArrayBuffer>>>;
  sockaddrsKept: number;
  localPorts: boolean;
}

const RECV_BYTES = 64 * 1024;
/** Encoded destinations kept (isIP and encoding cost 0.5 us a connect); more are encoded each time. */
const MAX_SOCKADDRS = 1024;
/** States in which the server's FIN has reached our socket (RFC 793 names). */
const PEER_FIN_STATES = new Set(["CLOSE_WAIT", "LAST_ACK", "CLOSING"]);

/** Options of {@link rawSocketLayer}. */
export interface RawSocketLayerOptions extends ReactorOptions {
  /** Ask each socket its local port (`getsockname`), else 0: only traces show it. @default {true} */
  localPorts?: boolean;
}

/**
 * The socket layer of the `raw` engine's scripted sessions. Sockets end
 * closed whatever happens; the reactor closes its epoll fd once the last
 * one is, so nothing needs disposing: await {@link RawSocketLayer.stopped}
 * before unloading libc or ending a test.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { rawSocketLayer } from "./raw_scenario_socket.ts";
 * import { startReferenceServer } from "../../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const libc = openLibc();
 * const layer = rawSocketLayer(libc);
 * const socket = layer.open();
 * const port = await socket.connect(server.target, 1000);
 * console.assert(port > 0);
 * await socket.closeWrite();
 * console.assert(await socket.read(1000) === null); // the server's FIN
 * socket.close();
 * await layer.stopped();
 * libc.close();
 * ```
 */
export function rawSocketLayer(libc: Libc, options: RawSocketLayerOptions = {}): RawSocketLayer {
  const reactor = new Reactor(libc, options);
  const scratch = new Uint8Array(RECV_BYTES);
  const shared: Shared = {
    libc,
    reactor,
    calls: new SocketCalls(libc),
    tcpInfo: new TcpInfoReader(libc),
    scratch,
    scratchLength: BigInt(scratch.byteLength),
    linger: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), // struct linger {l_onoff 1, l_linger 0}
    addresses: new Map(),
    sockaddrs: new Map(),
    sockaddrsKept: 0,
    localPorts: options.localPorts ?? true,
  };
  return {
    reactor,
    stopped: () => reactor.stopped(),
    open: () => new RawScenarioSocket(shared),
    sleep: (ms, signal) => delay(ms, { signal }),
  };
}

class RawScenarioSocket implements ScenarioSocket {
  readonly #shared: Shared;
  #fd = -1;
  #slot = -1;
  #eof = false;
  #finSent = false;
  #closed = false;
  #pendingErrno = 0; // SO_ERROR, once read before our FIN (reading clears it)
  #signal: AbortSignal | undefined;
  #evidence: SessionKernelEvidence | undefined;

  constructor(shared: Shared) {
    this.#shared = shared;
  }

  // Not `async`: on loopback the handshake is over inside connect(), and
  // the session then gets the port without a promise and a microtask turn.
  connect(to: Destination, timeoutMs: number, signal?: AbortSignal): number | Promise<number> {
    try {
      if (this.#fd >= 0 || this.#closed) throw new SocketFailure("connect", "EISCONN");
      if (signal?.aborted) throw new SocketFailure("connect", "EINTR");
      this.#signal = signal;
      const sockaddr = this.#shared.sockaddrs.get(to.hostname)?.get(to.port);
      if (sockaddr !== undefined) return this.#start(sockaddr, timeoutMs);
      const calledAt = performance.now(); // a name's resolution counts against the timeout
      return this.#sockaddr(to).then((resolved) => {
        if (signal?.aborted) throw new SocketFailure("connect", "EINTR");
        return this.#start(resolved, timeoutMs - (performance.now() - calledAt));
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * socket() and connect(): the local port, or a promise of it while the
   * handshake runs, for up to `timeoutMs` from its first wait (microseconds
   * after the call: no clock read when loopback needs no wait).
   */
  #start(sockaddr: Uint8Array, timeoutMs: number): number | Promise<number> {
    const { libc, reactor, tcpInfo } = this.#shared;
    const family = sockaddr.byteLength === 16 ? LINUX.AF_INET : LINUX.AF_INET6;
    const flags = LINUX.SOCK_STREAM | LINUX.SOCK_NONBLOCK | LINUX.SOCK_CLOEXEC;
    const fd = libc.symbols.socket(family, flags, 0);
    if (fd < 0) throw this.#fail("connect", libc.errno());
    this.#fd = fd;
    const slot = reactor.add(fd);
    if (slot < 0) throw this.#fail("connect", -slot);
    this.#slot = slot;
    if (libc.symbols.connect(fd, sockaddr, sockaddr.byteLength) === 0) {
      return this.#established(tcpInfo.read(fd), false);
    }
    const errno = this.#shared.calls.connectErrno(fd);
    if (errno !== LINUX.EINPROGRESS) throw this.#fail("connect", errno);
    // On loopback the whole handshake (or the RST) runs inside connect()
    // itself (TCP_INFO right after it: ESTABLISHED 500 times of 500), so
    // the state is asked before waiting for a loop turn: 500 sequential
    // connects took p50 59-61 us, p90 100-120 us waiting first, and
    // p50 46-62 us, p90 61-114 us asking first (a noisy shared machine).
    // Anything but SYN_SENT is the handshake over; SO_ERROR says how.
    const info = tcpInfo.read(fd);
    if (info?.state !== "SYN_SENT") return this.#established(info, true);
    return this.#handshake(performance.now() + timeoutMs);
  }

  async #handshake(deadline: number): Promise<number> {
    const { reactor, tcpInfo } = this.#shared;
    let info;
    do {
      const how = await reactor.writable(this.#slot, deadline - performance.now(), this.#signal);
      if (how !== "ready") throw this.#fail("connect", waitErrno(how));
    } while ((info = tcpInfo.read(this.#fd))?.state === "SYN_SENT");
    return this.#established(info, true);
  }

  /** The handshake is over: its error, if any, thrown; else the local port. */
  #established(info: TcpInfoSample | undefined, askError: boolean): number {
    const { calls } = this.#shared;
    // ESTABLISHED has no error pending; any other state asks SO_ERROR how
    // the handshake ended (a refused one is CLOSE with ECONNREFUSED).
    const error = askError && info?.state !== "ESTABLISHED" ? calls.connectError(this.#fd) : 0;
    if (error !== 0) throw this.#fail("connect", error);
    if (info) this.#evidence = { synRetransmits: info.totalRetrans, rttUs: info.rttUs };
    return this.#shared.localPorts ? calls.localPort(this.#fd) ?? 0 : 0;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const { calls, reactor } = this.#shared;
    let sent = 0;
    while (sent < bytes.byteLength) {
      this.#mustBeOpen("write");
      const chunk = sent === 0 ? bytes : bytes.subarray(sent);
      const n = calls.send(this.#fd, chunk, BigInt(chunk.byteLength));
      if (n >= 0) {
        sent += n;
        continue;
      }
      // After our own FIN a write fails with EPIPE on a live socket: believed.
      const errno = this.#finSent ? -n : calls.checkedErrno(this.#fd, -n, true);
      if (errno === LINUX.EAGAIN) {
        // A write has no timeout of its own; the run's stop still ends it.
        const how = await reactor.writable(this.#slot, Infinity, this.#signal);
        if (how !== "ready") throw new SocketFailure("write", waitErrno(how));
      } else if (errno !== LINUX.EINTR) {
        throw new SocketFailure("write", errnoName(errno));
      }
    }
  }

  async read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    const { calls, libc, reactor, scratch, scratchLength } = this.#shared;
    // Taken at the first EAGAIN: most reads find their bytes (or the FIN) at once.
    let deadline = NaN;
    while (true) {
      this.#mustBeOpen("read");
      if (this.#eof) return null;
      const n = Number(libc.symbols.recv(this.#fd, scratch, scratchLength, 0));
      if (n > 0) return scratch.slice(0, n);
      if (n === 0) {
        this.#eof = true;
        return null;
      }
      // Before our FIN a reset read as a would-block would next read 0 (checkedErrno).
      const errno = calls.checkedErrno(this.#fd, libc.errno(), !this.#finSent);
      if (errno === LINUX.EINTR) continue;
      if (errno !== LINUX.EAGAIN) throw new SocketFailure("read", errnoName(errno));
      if (signal?.aborted) throw new SocketFailure("read", "EINTR");
      const now = performance.now();
      if (Number.isNaN(deadline)) deadline = now + timeoutMs;
      const how = await reactor.readable(this.#slot, deadline - now, signal);
      if (how !== "ready") throw new SocketFailure("read", waitErrno(how));
    }
  }

  // Not `async` either: shutdown() is done when it returns.
  closeWrite(): void {
    this.#mustBeOpen("closeWrite");
    if (!this.#eof && this.#evidence?.stateBeforeFin === undefined) this.#sampleBeforeFin();
    const { libc } = this.#shared;
    if (libc.symbols.shutdown(this.#fd, LINUX.SHUT_WR) < 0) {
      // After an RST the socket is CLOSE and shutdown says ENOTCONN; the reset
      // waits in SO_ERROR for the session, unless the server's FIN came first:
      // the built-in loop (no shutdown then) and node:net see that FIN alone.
      const errno = libc.errno();
      if (this.#resetAfterFin()) return;
      throw new SocketFailure("closeWrite", errnoName(this.#pendingErrno || errno));
    }
    this.#finSent = true;
  }

  peerFinQueued(): boolean {
    if (this.#eof) return true;
    if (this.#fd < 0 || this.#closed) return false;
    const state = this.#sampleBeforeFin();
    if (state === "CLOSE") return this.#resetAfterFin(); // reset before our FIN
    return state !== undefined && PEER_FIN_STATES.has(state);
  }

  abort(): void {
    if (this.#fd < 0 || this.#closed) return this.close();
    const { libc, linger } = this.#shared;
    libc.symbols.setsockopt(this.#fd, LINUX.SOL_SOCKET, LINUX.SO_LINGER, linger, linger.byteLength);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const fd = this.#fd;
    if (fd < 0) return;
    if (this.#finSent && !this.#eof && this.#evidence) {
      // A FIN left unanswered: did the server's kernel at least acknowledge
      // it (FIN_WAIT2: the application never closed) or not (FIN_WAIT1)?
      this.#evidence.finAcked = this.#shared.tcpInfo.read(fd)?.state === "FIN_WAIT2";
    }
    this.#shared.libc.symbols.close(fd);
    if (this.#slot >= 0) this.#shared.reactor.remove(this.#slot);
  }

  kernelEvidence(): SessionKernelEvidence | undefined {
    return this.#evidence;
  }

  /** TCP_INFO right before our FIN, as the built-in raw loop reads it. */
  #sampleBeforeFin(): string | undefined {
    const sample = this.#shared.tcpInfo.read(this.#fd);
    if (sample && this.#evidence) {
      this.#evidence.stateBeforeFin = sample.state;
      this.#evidence.unackedBeforeFin = sample.unacked;
    }
    return sample?.state;
  }

  /**
   * Whether the RST that ended the connection before our FIN followed the
   * server's FIN (closed at accept, it reset our request): CLOSE either way, but
   * tcp_reset() sets EPIPE only in CLOSE_WAIT, and recv() still reads that FIN as 0.
   */
  #resetAfterFin(): boolean {
    this.#pendingErrno ||= this.#shared.calls.connectError(this.#fd);
    return errnoName(this.#pendingErrno) === "EPIPE";
  }

  #mustBeOpen(operation: Operation): void {
    if (this.#fd < 0) throw new SocketFailure(operation, "ENOTCONN");
    if (this.#closed) throw new SocketFailure(operation, "EBADF");
  }

  /** Closes the socket of a failed connect and names its errno. */
  #fail(operation: Operation, errno: number | string): SocketFailure {
    this.close();
    return new SocketFailure(operation, typeof errno === "number" ? errnoName(errno) : errno);
  }

  /** The destination's `struct sockaddr`, kept when `to.hostname` is an IP literal. */
  async #sockaddr(to: Destination): Promise<Uint8Array<ArrayBuffer>> {
    if (isIP(to.hostname) === 0) return encodeSockaddr(await this.#resolve(to), to.port);
    const sockaddr = encodeSockaddr(to.hostname, to.port);
    const shared = this.#shared;
    if (shared.sockaddrsKept < MAX_SOCKADDRS) {
      shared.sockaddrsKept++;
      const ports = shared.sockaddrs.get(to.hostname) ?? new Map();
      shared.sockaddrs.set(to.hostname, ports.set(to.port, sockaddr));
    }
    return sockaddr;
  }

  #resolve(to: Destination): Promise<string> {
    const { addresses } = this.#shared;
    let address = addresses.get(to.hostname);
    if (!address) {
      address = resolveAddress(to).catch((error) => {
        throw new SocketFailure("connect", error?.errno ?? "ENOTFOUND", { cause: error });
      });
      addresses.set(to.hostname, address);
      // A name that failed to resolve is tried again by the next session.
      address.catch(() => addresses.delete(to.hostname));
    }
    return address;
  }
}

function waitErrno(how: Readiness): string {
  return how === "timeout" ? "ETIMEDOUT" : how === "aborted" ? "EINTR" : "EBADF";
}
