/**
 * The bytes a scripted session has received but its scenario has not read
 * yet: `readUntil` keeps what came after its marker for the next read.
 *
 * @module
 */

const EMPTY = new Uint8Array(0);

/**
 * Received, unread bytes.
 *
 * @example
 * ```ts
 * import { ReceivedBytes } from "./received_bytes.ts";
 * const bytes = new ReceivedBytes();
 * bytes.append(new TextEncoder().encode("+PONG\r\nrest"));
 * const end = bytes.indexOf(new TextEncoder().encode("\r\n"));
 * console.assert(new TextDecoder().decode(bytes.take(end + 2)) === "+PONG\r\n");
 * console.assert(bytes.length === 4);
 * ```
 */
export class ReceivedBytes {
  // One empty array for every session: most never hold a byte (a typed
  // array costs about 0.3 us to allocate, and more to collect).
  #pending: Uint8Array = EMPTY;

  /** Unread bytes held. */
  get length(): number {
    return this.#pending.byteLength;
  }

  /** Keeps `chunk` after what is held. */
  append(chunk: Uint8Array): void {
    if (this.#pending.byteLength === 0) {
      this.#pending = chunk;
      return;
    }
    const joined = new Uint8Array(this.#pending.byteLength + chunk.byteLength);
    joined.set(this.#pending);
    joined.set(chunk, this.#pending.byteLength);
    this.#pending = joined;
  }

  /** Removes and returns the first `count` bytes (a copy). */
  take(count: number): Uint8Array {
    const taken = this.#pending.slice(0, count);
    this.#pending = this.#pending.subarray(count);
    return taken;
  }

  /** Drops everything held. */
  clear(): void {
    this.#pending = EMPTY;
  }

  /**
   * Removes and returns the bytes up to and including `needle`, pulling
   * more (`pull` resolves `null` at the server's FIN) until it comes.
   *
   * @throws {Error} when the FIN or `maxBytes` comes first.
   */
  async until(
    needle: Uint8Array,
    maxBytes: number,
    pull: () => Promise<Uint8Array | null>,
  ): Promise<Uint8Array> {
    let searchFrom = 0;
    while (true) {
      const at = this.indexOf(needle, searchFrom);
      if (at >= 0) return this.take(at + needle.byteLength);
      if (this.length >= maxBytes) {
        throw new Error(`readUntil: ${maxBytes} bytes came without the marker`);
      }
      searchFrom = Math.max(0, this.length - needle.byteLength + 1);
      const chunk = await pull();
      if (chunk === null) throw new Error("readUntil: the server closed (FIN) before the marker");
      this.append(chunk);
    }
  }

  /**
   * Removes and returns exactly `count` bytes, pulling more as
   * {@link ReceivedBytes.until} does.
   *
   * @throws {Error} when the FIN comes first.
   */
  async exactly(count: number, pull: () => Promise<Uint8Array | null>): Promise<Uint8Array> {
    while (this.length < count) {
      const chunk = await pull();
      if (chunk === null) {
        throw new Error(
          `readBytes: the server closed (FIN) after ${this.length} of ${count} bytes`,
        );
      }
      this.append(chunk);
    }
    return this.take(count);
  }

  /** Where `needle` starts at or after `from`, or -1. */
  indexOf(needle: Uint8Array, from = 0): number {
    const haystack = this.#pending;
    if (needle.byteLength === 0) return 0;
    const last = haystack.byteLength - needle.byteLength;
    outer: for (let i = from; i <= last; i++) {
      for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}

/**
 * What a scenario threw, as the one line its sessions are grouped by:
 * `TypeError: bad reply`, at most 200 characters.
 *
 * @example
 * ```ts
 * import { describeThrow } from "./received_bytes.ts";
 * console.assert(describeThrow(new RangeError("x\ny")) === "RangeError: x");
 * console.assert(describeThrow("plain") === "plain");
 * ```
 */
export function describeThrow(thrown: unknown): string {
  const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  const line = text.split("\n")[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
