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
import { type Operation, type Outcome, type Phase, RESET_ERRNOS } from "../outcome.ts";
import { recordConnect, recordConnectFailure } from "./connect_record.ts";
import type { SessionRecord } from "../session.ts";
import { check, seriesKey } from "./checks.ts";
import type { DurationInput, ReadOptions, Session, SessionParams, Tags } from "./session_api.ts";
import type { ScriptedSessionOptions, ScriptedSessionPlan } from "./scripted_plan.ts";

export type { ScriptedSessionOptions, ScriptedSessionPlan };
import { type ScenarioSocket, SocketFailure, type SocketLayer } from "./socket.ts";
import { describeThrow, ReceivedBytes } from "./received_bytes.ts";
import { endRecord, nextDecision, scriptedOutcome } from "./scripted_outcome.ts";

const DEFAULT_MAX_BYTES = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Constant for the thread (a worker has its own); the getter costs a brand check per read.
const TIME_ORIGIN = performance.timeOrigin;

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
  readonly destination: Readonly<Destination>;
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
  #serverFin = false; // read, or seen queued (TCP state) before our FIN
  #eofRead = false; // a read returned the FIN: bytes queued ahead of it are read first
  #establishedAt = 0;
  #firstWriteAt: number | undefined;
  readonly #pending = new ReceivedBytes();

  /** Prepares a session; nothing connects until {@link ScriptedSession.connect}. */
  constructor(layer: SocketLayer, plan: ScriptedSessionPlan, options: ScriptedSessionOptions) {
    this.index = plan.index;
    this.params = {
      holdMs: 0,
      ...options.params,
      connectTimeoutMs: options.connectTimeoutMs,
      closeTimeoutMs: options.closeTimeoutMs,
    };
    this.destination = { hostname: plan.to.hostname, port: plan.to.port };
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
    this.#record.connectCalledAt = TIME_ORIGIN + calledAt;
    try {
      const { to, signal } = this.#plan;
      const port = this.#socket.connect(to, this.#options.connectTimeoutMs, signal);
      const localPort = typeof port === "number" ? port : await port;
      if (localPort > 0) this.#record.localPort = localPort;
    } catch (error) {
      const errno = error instanceof SocketFailure ? error.errno : "EUNKNOWN";
      this.#closed = true;
      const failed = recordConnectFailure(this.#record, this.#socket, from, errno);
      this.#phase = failed.phase;
      this.#decide(this.#plan.signal?.aborted ? "interrupted" : failed.outcome, errno);
      throw error;
    }
    this.#establishedAt = performance.now();
    recordConnect(this.#record, this.#socket, from, this.#establishedAt);
    this.#connected = true;
    this.#phase = "firstByte";
  }

  async write(bytes: Uint8Array | string): Promise<void> {
    this.#mustBeOpen("write");
    const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    this.#firstWriteAt ??= performance.now();
    try {
      await this.#socket.write(data);
    } catch (error) {
      throw this.#failed("write", error);
    }
  }

  async read(options: ReadOptions = {}): Promise<Uint8Array | null> {
    this.#mustBeOpen("read");
    if (this.#pending.length > 0) return this.#pending.take(this.#pending.length);
    return await this.#receive(this.#timeout(options.timeout));
  }

  async readUntil(marker: string | Uint8Array, options: ReadOptions = {}): Promise<string> {
    this.#mustBeOpen("read");
    const needle = typeof marker === "string" ? encoder.encode(marker) : marker;
    const timeoutMs = this.#timeout(options.timeout);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const bytes = await this.#pending.until(needle, maxBytes, () => this.#receive(timeoutMs));
    return decoder.decode(bytes);
  }

  readBytes(count: number, options: ReadOptions = {}): Promise<Uint8Array> {
    this.#mustBeOpen("read");
    const timeoutMs = this.#timeout(options.timeout);
    return this.#pending.exactly(count, () => this.#receive(timeoutMs));
  }

  async closeWrite(): Promise<void> {
    this.#mustBeOpen("closeWrite");
    if (this.#ourFinAt !== undefined) return;
    // Who closed first is decided before our FIN, as runSession does: a FIN
    // the server already sent but nobody read yet makes it the first closer.
    if (!this.#serverFin) {
      const queued = this.#socket.peerFinQueued();
      if (queued === true || (queued !== false && await queued)) this.#sawServerFin();
    }
    this.#phase = "close";
    this.#ourFinAt = performance.now();
    try {
      const sent = this.#socket.closeWrite();
      if (sent) await sent;
    } catch (error) {
      throw this.#failed("closeWrite", error);
    }
  }

  expectEof(timeout?: DurationInput): Promise<boolean> {
    try {
      this.#mustBeOpen("read");
      // Not `async`: adopting #awaitFin's promise would cost two more turns.
      return this.#awaitFin(this.#timeout(timeout, "expectEof timeout"));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #awaitFin(timeoutMs: number): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    this.#pending.clear();
    for (let left = timeoutMs; !this.#serverFin; left = until - performance.now()) {
      let timedOut = left <= 0;
      if (!timedOut) { // the read awaited here, not in #receive: one async frame less
        try {
          this.#received(await this.#socket.read(left, this.#plan.signal));
        } catch (error) {
          // A FIN that did not come is an outcome (no-fin), not a failed read.
          const noFin = error instanceof SocketFailure && error.errno === "ETIMEDOUT";
          if (!noFin) throw this.#failed("read", error);
          timedOut = true;
        }
      }
      if (timedOut) {
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
          await this.#awaitFin(Math.max(0, left));
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
    // A session whose outcome is decided needs no close handshake: no await.
    if (!this.#closed && this.#connected && this.#decided === undefined) {
      try {
        await this.close();
      } catch { /* recorded by #failed */ }
    }
    this.#release();
    const end = scriptedOutcome({
      decided: this.#decided,
      decidedByFailure,
      thrown: thrown !== undefined,
      failureErrno: failure?.errno,
      stopped: this.#plan.signal?.aborted ?? false,
      connected: this.#connected,
    });
    return endRecord(record, end, this.#phase, this.#socket);
  }

  #timeout(timeout: DurationInput | undefined, what = "read timeout"): number {
    return timeout === undefined ? this.#options.closeTimeoutMs : parseDuration(timeout, what);
  }

  #mustBeOpen(operation: Operation): void {
    if (!this.#connected) throw new Error(`${operation}() before connect()`);
    if (this.#closed) throw new Error(`${operation}() after the session was closed`);
  }

  async #receive(timeoutMs: number): Promise<Uint8Array | null> {
    if (this.#eofRead) return null;
    let chunk: Uint8Array | null;
    try {
      chunk = await this.#socket.read(timeoutMs, this.#plan.signal);
    } catch (error) {
      throw this.#failed("read", error);
    }
    return this.#received(chunk);
  }

  /** Accounts for what a read returned: the server's FIN, or bytes (the first time `firstByte`). */
  #received(chunk: Uint8Array | null): Uint8Array | null {
    if (chunk === null) {
      this.#eofRead = true;
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

  /** Records a failed socket call (a reset or a stop decides the outcome) and returns it. */
  #failed(operation: Operation, error: unknown): SocketFailure {
    const errno = error instanceof SocketFailure ? error.errno : "EUNKNOWN";
    this.#record.errors.push({ phase: this.#phase, operation, errno });
    if (RESET_ERRNOS.has(errno)) this.#decide("reset", errno);
    else if (errno === "EINTR" && this.#plan.signal?.aborted) this.#decide("interrupted");
    return error instanceof SocketFailure
      ? error
      : new SocketFailure(operation, errno, { cause: error });
  }

  #decide(outcome: Outcome, errno?: string): void {
    const next = nextDecision(this.#decided, outcome);
    if (next === this.#decided) return;
    this.#decided = next;
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
