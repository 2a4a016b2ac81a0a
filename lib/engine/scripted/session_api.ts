/**
 * What a scenario module sees: the {@link Session} each run of its default
 * function gets, and the shape of the module itself (k6's: `export const
 * options`, `export default async function (session)`).
 *
 * @module
 */

import type { Destination } from "../../base/target.ts";

/**
 * A duration: `"250ms"`, `"10s"`, `"1m"`, or a number of seconds (as in the
 * config file and on the command line).
 */
export type DurationInput = string | number;

/** Tags on a check or a mark: `{ command: "PING" }`; each set is its own series. */
export type Tags = Readonly<Record<string, string>>;

/** Options of {@link Session.read}, {@link Session.readUntil} and {@link Session.readBytes}. */
export interface ReadOptions {
  /**
   * Give up when no byte came for this long (the session then ends as
   * `error` with `ETIMEDOUT`, unless the scenario catches it).
   *
   * @default {the session's close timeout, 2s unless set}
   */
  timeout?: DurationInput;
  /**
   * `readUntil`: fail (`EMSGSIZE`) when this many bytes came without the
   * marker, so a server that never sends it cannot fill the tester's memory.
   *
   * @default {1048576}
   */
  maxBytes?: number;
}

/**
 * One TCP connection of a scenario, timed phase by phase as built-in
 * sessions are: the handshake (`connect()`), the first byte (first write
 * until the first byte back), the close (our FIN until the server's), plus
 * the scenario's own marks. Socket failures reject (a reset with
 * `ECONNRESET`); an uncaught one decides the session's outcome (`reset`,
 * `refused`, ...), any other throw ends it as `error` with its message.
 * Whatever the scenario leaves open is closed the default way when it
 * returns: our FIN, then up to the close timeout for the server's.
 */
export interface Session {
  /** Index of this session in the run: 0-based, unique across the workers of a process. */
  readonly index: number;
  /** The run's `--hold`, `--send` and timeouts, for scenarios that take them. */
  readonly params: SessionParams;
  /** Where this session connects: one of the target's destinations, literal on the raw engine. */
  readonly destination: Readonly<Destination>;
  /** The server's FIN has been read (by `read`, `readUntil` or `expectEof`). */
  readonly serverFin: boolean;
  /** Connects (the three-way handshake); once per session. */
  connect(): Promise<void>;
  /** Writes bytes, or a string as UTF-8. */
  write(bytes: Uint8Array | string): Promise<void>;
  /** The next bytes received, or `null` once the server has sent its FIN. */
  read(options?: ReadOptions): Promise<Uint8Array | null>;
  /**
   * Reads until `marker` (a string is UTF-8) and returns everything up to
   * and including it as UTF-8; bytes after the marker stay for the next read.
   * Throws (the session ends as `error`, unless caught) when the server's
   * FIN comes first or `maxBytes` came without the marker.
   */
  readUntil(marker: string | Uint8Array, options?: ReadOptions): Promise<string>;
  /** Reads exactly `count` bytes; throws when the server's FIN comes first. */
  readBytes(count: number, options?: ReadOptions): Promise<Uint8Array>;
  /** Sends our FIN (`shutdown(SHUT_WR)`); the server's FIN is then timed as `close`. */
  closeWrite(): Promise<void>;
  /**
   * Waits for the server's FIN, discarding bytes before it. Resolves `true`
   * when it came, `false` past the timeout: after our FIN that is `no-fin`
   * (the server's socket sits in CLOSE_WAIT).
   *
   * @param timeout default: the session's close timeout.
   */
  expectEof(timeout?: DurationInput): Promise<boolean>;
  /** Ends the connection with an RST (outcome `aborted`). */
  abort(): Promise<void>;
  /** Waits, keeping the connection open (the session's engine keeps the time). */
  sleep(duration: DurationInput): Promise<void>;
  /** Closes the default way: our FIN if not sent, the server's FIN awaited, then the socket. */
  close(): Promise<void>;
  /** Runs `fn` and records how long it took as the phase `mark.NAME`. */
  time<T>(name: string, fn: () => T | Promise<T>, tags?: Tags): Promise<T>;
  /** Records the time from the end of the handshake until now as `mark.NAME`. */
  mark(name: string, tags?: Tags): void;
  /** Records a check (as the module-level `check`) and returns `condition`. */
  check(name: string, condition: boolean, tags?: Tags): boolean;
}

/** What the command line gives every session of a run. */
export interface SessionParams {
  /** `--hold`: how long to dwell, ms (0 when not given). */
  holdMs: number;
  /** `--send` or `--send-file`: the payload, when one was given. */
  send?: Uint8Array;
  /** `--message-rate`: exchanges per second on each connection, when given. */
  messageRate?: number;
  /** `--connect-timeout`, ms. */
  connectTimeoutMs: number;
  /** `--close-timeout`, ms: also the default timeout of each read. */
  closeTimeoutMs: number;
}

/** A load stage: ramp linearly to `target` (concurrency, or rate with `rate`) over `duration`. */
export interface ScenarioStage {
  /** How long the ramp takes. */
  duration: DurationInput;
  /** Concurrency (closed loop) or sessions per second (open loop) at the stage's end. */
  target: number;
}

/**
 * A scenario's own defaults: the same keys as the config file, checked by
 * the same code; command-line flags override them.
 */
export interface ScenarioOptions {
  /** Sessions in flight (closed loop), or the most in flight (open loop). */
  concurrency?: number;
  /** Stop after this many sessions. */
  sessions?: number;
  /** Stop starting sessions after this long. */
  duration?: DurationInput;
  /** Open loop: sessions started per second. */
  rate?: number;
  /** Thresholds, e.g. `"handshake.p99<5ms"`, `"checks>99%"`, `"mark.login.p99<20ms"`. */
  thresholds?: string[];
  /** Give up a handshake after this long. */
  connectTimeout?: DurationInput;
  /** Wait this long for the server's FIN after ours, and for each read. */
  closeTimeout?: DurationInput;
  /** `session.params.holdMs`, as `--hold`. */
  hold?: DurationInput;
  /** `session.params.send`, as `--send` (with its escapes: `"PING\\r\\n"`). */
  send?: string;
  /** Tags of the whole run, kept in the JSON report. */
  tags?: Tags;
  /**
   * Ramp in stages, as k6: the concurrency from 0, or with `rate` the
   * arrival rate from `rate`; the run lasts their sum.
   */
  stages?: ScenarioStage[];
  /** Every session speaks TLS, as `--tls` (deno engine; the CA comes from `--tls-ca`). */
  tls?: boolean;
}

/** The default export of a scenario module: one session's life. */
export type Scenario = (session: Session) => void | Promise<void>;

/** A loaded scenario module. */
export interface ScenarioModule {
  /** The session function. */
  default: Scenario;
  /** Its defaults, if it exports them. */
  options?: ScenarioOptions;
}
