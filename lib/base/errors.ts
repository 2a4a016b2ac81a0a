/**
 * Every error class synfin throws, in one place. Each sets `name` so a caller
 * (the CLI) can map it to an exit code without string matching, and keeps the
 * original error in `cause`.
 *
 * @module
 */

/**
 * A command-line value or option that cannot be used (exit code 2).
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * const err = new UsageError('Invalid duration "10x": use 500ms, 10s or 1m');
 * console.assert(err.name === "UsageError");
 * ```
 */
export class UsageError extends Error {
  /** Creates a usage error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * The target could not be reached before the run started: the name did not
 * resolve, the port refused, or the handshake timed out (exit code 3).
 *
 * @example
 * ```ts
 * import { TargetUnreachableError } from "./errors.ts";
 * const err = new TargetUnreachableError(
 *   "Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED)",
 *   { errno: "ECONNREFUSED" },
 * );
 * console.assert(err.errno === "ECONNREFUSED");
 * ```
 */
export class TargetUnreachableError extends Error {
  /** The errno name of the failed connect, e.g. `ECONNREFUSED`, `ENOTFOUND`. */
  readonly errno: string;
  /** Creates the error; `errno` names the failure. */
  constructor(message: string, options: ErrorOptions & { errno: string }) {
    super(message, options);
    this.name = "TargetUnreachableError";
    this.errno = options.errno;
  }
}

/**
 * synfin itself ran out of a resource before the run started: file
 * descriptors (EMFILE, ENFILE) or local ports (EADDRNOTAVAIL), so the target
 * was not tried at all (exit code 4).
 *
 * @example
 * ```ts
 * import { TesterLimitError } from "./errors.ts";
 * const err = new TesterLimitError(
 *   "cannot connect to 127.0.0.1:80: synfin has no free local port (EADDRNOTAVAIL)",
 *   { errno: "EADDRNOTAVAIL" },
 * );
 * console.assert(err.name === "TesterLimitError" && err.errno === "EADDRNOTAVAIL");
 * ```
 */
export class TesterLimitError extends Error {
  /** The errno name, e.g. `EMFILE`, `EADDRNOTAVAIL`. */
  readonly errno: string;
  /** Creates the error; `errno` names the resource that ran out. */
  constructor(message: string, options: ErrorOptions & { errno: string }) {
    super(message, options);
    this.name = "TesterLimitError";
    this.errno = options.errno;
  }
}

/**
 * The text is neither `/proc/net/tcp` nor `ss -tan` output, or one of its rows
 * is malformed.
 *
 * @example
 * ```ts
 * import { SocketTableFormatError } from "./errors.ts";
 * const error = new SocketTableFormatError("Not a socket table: hello");
 * console.assert(error.name === "SocketTableFormatError");
 * ```
 */
export class SocketTableFormatError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketTableFormatError";
  }
}

/**
 * The socket table could not be read: the reading command is not allowed, not
 * installed, or failed. The original error is in `cause`.
 *
 * @example
 * ```ts
 * import { SocketTableUnavailableError } from "./errors.ts";
 * const err = new SocketTableUnavailableError("cat: not permitted", {
 *   cause: new Error("NotCapable"),
 * });
 * console.assert(err.name === "SocketTableUnavailableError");
 * ```
 */
export class SocketTableUnavailableError extends Error {
  /** Creates the error with a one-line message; pass the original error as `cause`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketTableUnavailableError";
  }
}

/**
 * The file text is not in the `/proc/net/netstat` / `/proc/net/snmp` format,
 * or lacks a counter that {@linkcode KernelCounters} needs.
 *
 * @example
 * ```ts
 * import { KernelCountersFormatError } from "./errors.ts";
 * const error = new KernelCountersFormatError("TcpExt: ListenOverflows is not a number");
 * console.assert(error.name === "KernelCountersFormatError");
 * ```
 */
export class KernelCountersFormatError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KernelCountersFormatError";
  }
}

/**
 * The counters could not be read: `cat` is not allowed, not installed, or
 * failed. The original error is in `cause`.
 *
 * @example
 * ```ts
 * import { KernelCountersUnavailableError } from "./errors.ts";
 * const err = new KernelCountersUnavailableError("cat: not permitted", {
 *   cause: new Error("NotCapable"),
 * });
 * console.assert(err.name === "KernelCountersUnavailableError");
 * ```
 */
export class KernelCountersUnavailableError extends Error {
  /** Creates the error with a one-line message; pass the original error as `cause`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KernelCountersUnavailableError";
  }
}

/**
 * The command could not be started: not installed, or not permitted. The
 * message says which and what to grant; `cause` is Deno's error.
 *
 * @example
 * ```ts
 * import { CommandSpawnError } from "./errors.ts";
 * const error = new CommandSpawnError("ss is not installed or not on PATH");
 * console.assert(error.name === "CommandSpawnError");
 * ```
 */
export class CommandSpawnError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandSpawnError";
  }
}

/**
 * A generator process of a load (one of the processes a run is spread over
 * when it needs more sockets than one process may hold) died, hung or never
 * started: the message says which one and why, so a run never reports a
 * silent undercount. `cause` is the underlying error, when there is one.
 *
 * @example
 * ```ts
 * import { GeneratorError } from "./errors.ts";
 * const error = new GeneratorError("generator 2 of 6 was killed by SIGKILL", { generator: 1 });
 * console.assert(error.name === "GeneratorError" && error.generator === 1);
 * ```
 */
export class GeneratorError extends Error {
  /** The generator's index, 0-based. */
  readonly generator: number;
  /** Creates the error with a one-line message naming the generator. */
  constructor(message: string, options: ErrorOptions & { generator: number }) {
    super(message, options);
    this.name = "GeneratorError";
    this.generator = options.generator;
  }
}
