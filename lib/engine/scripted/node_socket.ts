/**
 * The `deno` engine's socket for scripted sessions: `node:net` as Deno
 * implements it (no FFI). Not `Deno.connect`: a scenario's `abort()` needs an
 * RST, and only `node:net`'s `resetAndDestroy()` sets `SO_LINGER` to 0 in
 * Deno (`Deno.TcpConn.close()` always sends a FIN); `node:net` also delivers
 * data as events, so a read that times out leaves no read pending behind it.
 * Both go through Deno's one socket poll per event loop, so the workers'
 * cap of 100 sessions each applies the same (docs/tcp-facts.md).
 *
 * @module
 */

import * as net from "node:net";
import { delay } from "../../base/delay.ts";
import { errnoOf } from "../../base/errno.ts";
import type { Destination } from "../../base/target.ts";
import { afterSocketPoll } from "../socket_poll.ts";
import { type ScenarioSocket, SocketFailure, type SocketLayer } from "./socket.ts";
import { ReceiveQueue } from "./receive_queue.ts";

/**
 * The socket layer of the `deno` engine's scripted sessions.
 *
 * @example
 * ```ts
 * import { nodeSocketLayer } from "./node_socket.ts";
 * import { startReferenceServer } from "../../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const socket = nodeSocketLayer().open();
 * const port = await socket.connect(server.target, 1000);
 * console.assert(port > 0);
 * await socket.closeWrite();
 * console.assert(await socket.read(1000) === null); // the server's FIN
 * socket.close();
 * ```
 */
export function nodeSocketLayer(): SocketLayer {
  return {
    open: () => new NodeScenarioSocket(),
    sleep: (ms, signal) => delay(ms, { signal }),
  };
}

class NodeScenarioSocket implements ScenarioSocket {
  #socket: net.Socket | undefined;
  readonly #received = new ReceiveQueue(() => this.#socket?.resume());

  connect(to: Destination, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new SocketFailure("connect", "EINTR"));
      const socket = net.connect({ host: to.hostname, port: to.port, allowHalfOpen: true });
      this.#socket = socket;
      const timer = setTimeout(() => fail("ETIMEDOUT"), timeoutMs);
      const onAbort = () => fail("EINTR");
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        socket.removeListener("error", onError);
      };
      const fail = (errno: string) => {
        settle();
        socket.destroy();
        reject(new SocketFailure("connect", errno));
      };
      const onError = (error: unknown) => fail(errnoOf(error));
      socket.once("error", onError);
      socket.once("connect", () => {
        settle();
        this.#listen(socket);
        resolve(socket.localPort ?? 0);
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed || this.#received.errno) {
      return Promise.reject(new SocketFailure("write", this.#received.errno ?? "EPIPE"));
    }
    return new Promise((resolve, reject) => {
      socket.write(bytes, (error) => {
        if (error) reject(new SocketFailure("write", this.#received.errno ?? errnoOf(error)));
        else resolve();
      });
    });
  }

  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    return this.#received.read(timeoutMs, signal);
  }

  closeWrite(): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.destroyed || this.#received.errno) {
      return Promise.reject(new SocketFailure("closeWrite", this.#received.errno ?? "ENOTCONN"));
    }
    return new Promise((resolve) => socket.end(() => resolve()));
  }

  async peerFinQueued(): Promise<boolean> {
    if (!this.#received.eof && this.#received.empty) await afterSocketPoll();
    return this.#received.eof;
  }

  abort(): void {
    const socket = this.#socket;
    if (socket && !socket.destroyed) socket.resetAndDestroy();
  }

  close(): void {
    const socket = this.#socket;
    if (socket && !socket.destroyed) socket.destroy();
  }

  #listen(socket: net.Socket): void {
    socket.on("data", (chunk: Uint8Array) => {
      this.#received.push(chunk);
      if (this.#received.full) socket.pause();
    });
    socket.on("end", () => this.#received.end());
    socket.on("error", (error: unknown) => this.#received.fail(errnoOf(error)));
  }
}
