/**
 * Bytes a deno-engine scripted socket has received, as its `read()` hands
 * them out: `node:net` delivers them as events, the TLS socket's pump reads
 * them, and either pushes them here, so a read that times out leaves no
 * read pending behind it.
 *
 * @module
 */

import { SocketFailure } from "./socket.ts";

/** Received bytes held before the producer is asked to stop (backpressure on the server). */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * Received chunks, the server's FIN and the first socket error, with a
 * `read()` that waits for them, bounded by a timeout and a stop signal.
 *
 * @example
 * ```ts
 * import { ReceiveQueue } from "./receive_queue.ts";
 * const queue = new ReceiveQueue(() => {});
 * queue.push(new Uint8Array([1, 2]));
 * queue.end();
 * console.assert((await queue.read(100))?.byteLength === 2);
 * console.assert(await queue.read(100) === null); // the FIN
 * ```
 */
export class ReceiveQueue {
  /** The server's FIN has been received (the queue may still hold bytes before it). */
  eof = false;
  /** The first socket error, as an errno name. */
  errno: string | undefined;
  readonly #chunks: Uint8Array[] = [];
  readonly #onRoom: () => void;
  #queued = 0;
  #wake: (() => void) | undefined;

  /** `onRoom` is called when a read leaves room after the queue was {@link ReceiveQueue.full}. */
  constructor(onRoom: () => void) {
    this.#onRoom = onRoom;
  }

  /** At least {@link MAX_QUEUED_BYTES} held: the producer should pause. */
  get full(): boolean {
    return this.#queued >= MAX_QUEUED_BYTES;
  }

  /** Nothing held. */
  get empty(): boolean {
    return this.#chunks.length === 0;
  }

  /** Keeps `chunk` for the next read. */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#queued += chunk.byteLength;
    this.#wake?.();
  }

  /** The server's FIN came. */
  end(): void {
    this.eof = true;
    this.#wake?.();
  }

  /** A socket error; the first one is kept. */
  fail(errno: string): void {
    this.errno ??= errno;
    this.#wake?.();
  }

  /** Wakes a waiting read (the socket closed, say) so it looks again. */
  wake(): void {
    this.#wake?.();
  }

  /**
   * The next bytes, or `null` after the FIN. Fails with the socket's errno,
   * `EINTR` on `signal`, `ETIMEDOUT` when nothing came in `timeoutMs`.
   */
  async read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array | null> {
    const until = performance.now() + timeoutMs;
    while (true) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.#queued -= chunk.byteLength;
        if (this.#queued < MAX_QUEUED_BYTES) this.#onRoom();
        return chunk;
      }
      if (this.errno) throw new SocketFailure("read", this.errno);
      if (this.eof) return null;
      if (signal?.aborted) throw new SocketFailure("read", "EINTR");
      const left = until - performance.now();
      if (left <= 0) throw new SocketFailure("read", "ETIMEDOUT");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        signal?.addEventListener("abort", done, { once: true });
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }
}
