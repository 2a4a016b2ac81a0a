/**
 * The {@link Session} a scenario drives, on any engine's {@link ScenarioSocket}:
 * it times the phases and decides the outcome by the rules built-in
 * sessions follow (lib/engine/outcome.ts), so `run` and `load` agree on what
 * a server did.
 *
 * @module
 */

import { parseDuration } from "../../base/duration.ts";
import type { Destination } from "../../base/target.ts";
import {
  connectOutcome,
  handshakeCompletedBefore,
  type Operation,
  type Outcome,
  type Phase,
  RESET_ERRNOS,
} from "../outcome.ts";
import type { SessionRecord } from "../session.ts";
import { check, seriesKey } from "./checks.ts";
import type { DurationInput, ReadOptions, Session, SessionParams, Tags } from "./session_api.ts";
import { type ScenarioSocket, SocketFailure, type SocketLayer } from "./socket.ts";

/** Timeouts of a scripted session, ms. */
export interface ScriptedSessionOptions {
  /** Give up the handshake after this long. */
  connectTimeoutMs: number;
  /** Wait this long for the server's FIN after ours, and by default for each read. */
  closeTimeoutMs: number;
  /** `--hold` and `--send`, as the scenario sees them. */
  params?: SessionParams;
}

/** Where and when one scripted session runs. */
export interface ScriptedSessionPlan {
  /** The destination this session connects to. */
  to: Destination;
  /** Index of the session in its run. */
  index: number;
  /** Open loop: `performance.now()` the session was due; the handshake is timed from it. */
  intendedStart?: number;
  /** Stops the session (outcome `interrupted`). */
  signal?: AbortSignal;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One scripted connection; {@link ScriptedSession.finish} closes what is left
 * open and returns the record.
 *
 * @example
 * ```ts
 * import { ScriptedSession } from "./scripted_session.ts";
 * import { nodeSocketLayer } from "./node_socket.ts";
 * import { startReferenceServer } from "../../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const session = new ScriptedSession(nodeSocketLayer(), { to: server.target, index: 0 }, {
 *   connectTimeoutMs: 1000,
 *   closeTimeoutMs: 1000,
 * });
 * await session.connect();
 * const record = await session.finish();
 * console.assert(record.outcome === "clean", record.outcome);
 * ```
 */
export class ScriptedSession implements Session {
  readonly index: number;
  readonly params: SessionParams;
  readonly #layer: SocketLayer;
  readonly #socket: ScenarioSocket;
  readonly #plan: ScriptedSessionPlan;
  readonly #options: ScriptedSessionOptions;
  readonly #record: SessionRecord = {
    outcome: "error",
    phase: "handshake",
    bytesReceived: 0,
    errors: [],
  };
  #phase: Phase = "handshake";
  #decided: Outcome | undefined;
  #connected = false;
  #closed = false;
  #ourFinAt: number | undefined;
  #serverFin = false;
  #establishedAt = 0;
  #firstWriteAt: number | undefined;
  #pending: Uint8Array = new Uint8Array(0);

  /** Prepares a session; nothing connects until {@link ScriptedSession.connect}. */
  constructor(layer: SocketLayer, plan: ScriptedSessionPlan, options: ScriptedSessionOptions) {
    this.index = plan.index;
    this.params = options.params ?? { holdMs: 0 };
    this.#layer = layer;
    this.#socket = layer.open();
    this.#plan = plan;
    this.#options = options;
  }

  get serverFin(): boolean {
    return this.#serverFin;
  }

  async connect(): Promise<void> {
    if (this.#connected || this.#closed) throw new Error("connect() was already called");
    const calledAt = performance.now();
    const from = this.#plan.intendedStart ?? calledAt;
    this.#record.connectCalledAt = performance.timeOrigin + calledAt;
    try {
      this.#record.localPort = await this.#socket.connect(
        this.#plan.to,
        this.#options.connectTimeoutMs,
        this.#plan.signal,
      );
    } catch (error) {
      const errno = error instanceof SocketFailure ? error.errno : "EUNKNOWN";
      this.#closed = true;
      this.#record.errors.push({ phase: "handshake", operation: "connect", errno });
      this.#record.errno = errno;
      if (handshakeCompletedBefore(errno)) {
        this.#record.handshakeUs = (performance.now() - from) * 1000;
      }
      this.#decide(this.#plan.signal?.aborted ? "interrupted" : connectOutcome(errno), errno);
      throw error;
    }
    this.#establishedAt = performance.now();
    this.#record.handshakeUs = (this.#establishedAt - from) * 1000;
    this.#connected = true;
    this.#phase = "firstByte";
  }

  async write(bytes: Uint8Array | string): Promise<void> {
    this.#mustBeOpen("write");
    const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    this.#firstWriteAt ??= performance.now();
    await this.#call("write", () => this.#socket.write(data));
  }

  async read(options: ReadOptions = {}): Promise<Uint8Array | null> {
    this.#mustBeOpen("read");
    if (this.#pending.byteLength > 0) return this.#take(this.#pending.byteLength);
    const chunk = await this.#receive(this.#timeout(options.timeout));
    if (chunk === null) return null;
    this.#pending = chunk;
    return this.#take(chunk.byteLength);
  }

  async readUntil(marker: string | Uint8Array, options: ReadOptions = {}): Promise<string> {
    this.#mustBeOpen("read");
    const needle = typeof marker === "string" ? encoder.encode(marker) : marker;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const timeoutMs = this.#timeout(options.timeout);
    let searchFrom = 0;
    while (true) {
      const at = indexOf(this.#pending, needle, searchFrom);
      if (at >= 0) return decoder.decode(this.#take(at + needle.byteLength));
      if (this.#pending.byteLength >= maxBytes) {
        throw new Error(`readUntil: ${maxBytes} bytes came without the marker`);
      }
      searchFrom = Math.max(0, this.#pending.byteLength - needle.byteLength + 1);
      if (!await this.#fill(timeoutMs)) {
        throw new Error("readUntil: the server closed (FIN) before the marker");
      }
    }
  }

  async readBytes(count: number, options: ReadOptions = {}): Promise<Uint8Array> {
    this.#mustBeOpen("read");
    const timeoutMs = this.#timeout(options.timeout);
    while (this.#pending.byteLength < count) {
      if (!await this.#fill(timeoutMs)) {
        throw new Error(
          `readBytes: the server closed (FIN) after ${this.#pending.byteLength} of ${count} bytes`,
        );
      }
    }
    return this.#take(count);
  }

  async closeWrite(): Promise<void> {
    this.#mustBeOpen("closeWrite");
    if (this.#ourFinAt !== undefined) return;
    // Who closed first is decided before our FIN, as runSession does: a FIN
    // the server already sent but nobody read yet makes it the first closer.
    if (!this.#serverFin && await this.#socket.peerFinQueued()) this.#sawServerFin();
    this.#phase = "close";
    this.#ourFinAt = performance.now();
    await this.#call("closeWrite", () => this.#socket.closeWrite());
  }

  async expectEof(timeout?: DurationInput): Promise<boolean> {
    this.#mustBeOpen("read");
    const timeoutMs = timeout === undefined
      ? this.#options.closeTimeoutMs
      : parseDuration(timeout, "expectEof timeout");
    const until = performance.now() + timeoutMs;
    this.#pending = new Uint8Array(0);
    while (!this.#serverFin) {
      const left = until - performance.now();
      try {
        if (left <= 0) throw new SocketFailure("read", "ETIMEDOUT");
        await this.#receive(left);
      } catch (error) {
        if (!(error instanceof SocketFailure) || error.errno !== "ETIMEDOUT") throw error;
        this.#record.errors.pop(); // a FIN that did not come is an outcome, not a failed read
        if (this.#ourFinAt !== undefined) this.#decide("no-fin");
        return false;
      }
    }
    return true;
  }

  abort(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#socket.abort();
      this.#decide("aborted");
    }
    return Promise.resolve();
  }

  async sleep(duration: DurationInput): Promise<void> {
    await this.#layer.sleep(parseDuration(duration, "sleep"), this.#plan.signal);
    if (this.#plan.signal?.aborted) {
      this.#decide("interrupted");
      throw new SocketFailure("read", "EINTR");
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.#decided === undefined) {
        if (this.#ourFinAt === undefined) await this.closeWrite();
        if (!this.#serverFin) {
          const left = this.#options.closeTimeoutMs - (performance.now() - this.#ourFinAt!);
          await this.expectEof(`${Math.max(0, left)}ms`);
        }
      }
    } finally {
      this.#release();
    }
  }

  async time<T>(name: string, fn: () => T | Promise<T>, tags?: Tags): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.#addMark(name, tags, (performance.now() - start) * 1000);
    }
  }

  mark(name: string, tags?: Tags): void {
    if (!this.#connected) throw new Error(`mark("${name}") before connect()`);
    this.#addMark(name, tags, (performance.now() - this.#establishedAt) * 1000);
  }

  check(name: string, condition: boolean, tags?: Tags): boolean {
    return check(name, condition, tags);
  }

  /**
   * Ends the session after its scenario returned (`thrown` undefined) or
   * threw: closes what is still open the default way, and returns the record.
   */
  async finish(thrown?: unknown): Promise<SessionRecord> {
    const failure = thrown instanceof SocketFailure ? thrown : undefined;
    const record = this.#record;
    if (thrown !== undefined && !failure) record.scriptError = describeThrow(thrown);
    // What a failed call decided (refused, connect-timeout, interrupted)
    // stands; the default close below must not turn it into `clean`.
    const decidedByFailure = failure ? this.#decided : undefined;
    if (!this.#closed && this.#connected) {
      try {
        await this.close();
      } catch { /* recorded by #call */ }
    }
    this.#release();
    if (this.#plan.signal?.aborted && this.#decided === undefined) this.#decide("interrupted");
    if (this.#decided === "reset") record.outcome = "reset";
    else if (thrown !== undefined) {
      record.outcome = decidedByFailure ?? (this.#plan.signal?.aborted ? "interrupted" : "error");
      if (failure) record.errno = failure.errno;
    } else if (this.#decided !== undefined) record.outcome = this.#decided;
    else {
      record.outcome = "error";
      if (!this.#connected) record.scriptError = "the scenario returned without connecting";
      else record.errno ??= record.errors.at(-1)?.errno;
    }
    record.phase = this.#phase;
    const evidence = this.#socket.kernelEvidence?.();
    if (evidence) record.kernel = evidence;
    return record;
  }

  #timeout(timeout: DurationInput | undefined): number {
    return timeout === undefined
      ? this.#options.closeTimeoutMs
      : parseDuration(timeout, "read timeout");
  }

  #mustBeOpen(operation: Operation): void {
    if (!this.#connected) throw new Error(`${operation}() before connect()`);
    if (this.#closed) throw new Error(`${operation}() after the session was closed`);
  }

  async #fill(timeoutMs: number): Promise<boolean> {
    const chunk = await this.#receive(timeoutMs);
    if (chunk === null) return false;
    const joined = new Uint8Array(this.#pending.byteLength + chunk.byteLength);
    joined.set(this.#pending);
    joined.set(chunk, this.#pending.byteLength);
    this.#pending = joined;
    return true;
  }

  async #receive(timeoutMs: number): Promise<Uint8Array | null> {
    if (this.#serverFin) return null;
    const chunk = await this.#call("read", () => this.#socket.read(timeoutMs, this.#plan.signal));
    if (chunk === null) {
      this.#sawServerFin();
      return null;
    }
    if (this.#record.firstByteUs === undefined) {
      // A server that speaks first (a banner) is timed from the handshake.
      this.#record.firstByteUs = (performance.now() - (this.#firstWriteAt ?? this.#establishedAt)) *
        1000;
      if (this.#phase === "firstByte") this.#phase = "hold";
    }
    this.#record.bytesReceived += chunk.byteLength;
    return chunk;
  }

  #sawServerFin(): void {
    if (this.#serverFin) return;
    this.#serverFin = true;
    if (this.#ourFinAt === undefined) this.#decide("server-closed-first");
    else {
      this.#record.closeUs = (performance.now() - this.#ourFinAt) * 1000;
      this.#decide("clean");
    }
  }

  #take(count: number): Uint8Array {
    const taken = this.#pending.slice(0, count);
    this.#pending = this.#pending.subarray(count);
    return taken;
  }

  async #call<T>(operation: Operation, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const errno = error instanceof SocketFailure ? error.errno : "EUNKNOWN";
      this.#record.errors.push({ phase: this.#phase, operation, errno });
      if (RESET_ERRNOS.has(errno)) this.#decide("reset", errno);
      else if (errno === "EINTR" && this.#plan.signal?.aborted) this.#decide("interrupted");
      throw error instanceof SocketFailure
        ? error
        : new SocketFailure(operation, errno, { cause: error });
    }
  }

  /** A reset overrides any earlier decision; anything else keeps the first. */
  #decide(outcome: Outcome, errno?: string): void {
    if (this.#decided !== undefined && outcome !== "reset") return;
    if (this.#decided === "reset") return;
    this.#decided = outcome;
    if (errno !== undefined) this.#record.errno = errno;
  }

  #addMark(name: string, tags: Tags | undefined, us: number): void {
    (this.#record.marks ??= []).push({ key: seriesKey(name, tags), us });
  }

  #release(): void {
    this.#closed = true;
    this.#socket.close();
  }
}

function describeThrow(thrown: unknown): string {
  const text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  // Grouped by message: keep it one short line.
  const line = text.split("\n")[0];
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.byteLength === 0) return 0;
  const last = haystack.byteLength - needle.byteLength;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
