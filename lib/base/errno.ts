/**
 * Errors as errno names, and errno names as words: the one ladder every
 * message of synfin goes through ("Cannot connect to 127.0.0.1:1: connection
 * refused (ECONNREFUSED)", "Cannot write --json x: no such file or directory
 * (ENOENT)").
 *
 * @module
 */

/**
 * Names an error the way `errno` would (`ECONNRESET`, `EMFILE`, ...), from
 * Deno's error classes, a Node-style `code`, or the resolver's message.
 *
 * @example
 * ```ts
 * import { errnoOf } from "./errno.ts";
 * console.assert(errnoOf(new Deno.errors.ConnectionReset("x")) === "ECONNRESET");
 * ```
 */
export function errnoOf(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionRefused) return "ECONNREFUSED";
  if (error instanceof Deno.errors.ConnectionReset) return "ECONNRESET";
  if (error instanceof Deno.errors.ConnectionAborted) return "ECONNABORTED";
  if (error instanceof Deno.errors.BrokenPipe) return "EPIPE";
  if (error instanceof Deno.errors.TimedOut) return "ETIMEDOUT";
  if (error instanceof Deno.errors.AddrNotAvailable) return "EADDRNOTAVAIL";
  if (error instanceof Deno.errors.AddrInUse) return "EADDRINUSE";
  if (error instanceof Deno.errors.NotConnected) return "ENOTCONN";
  if (error instanceof Deno.errors.Interrupted) return "EINTR";
  if (error instanceof Deno.errors.NetworkUnreachable) return "ENETUNREACH";
  if (error instanceof Deno.errors.PermissionDenied) return "EACCES";
  if (error instanceof DOMException && error.name === "TimeoutError") return "ETIMEDOUT";
  if (error instanceof DOMException && error.name === "AbortError") return "EINTR";
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return code;
    if (/lookup address information|Name or service not known|no such host/i.test(error.message)) {
      return "ENOTFOUND";
    }
    if (/Too many open files/i.test(error.message)) return "EMFILE";
    if (/Host is unreachable/i.test(error.message)) return "EHOSTUNREACH";
  }
  return "EUNKNOWN";
}

/**
 * What each errno means, in the words a message uses. `ENOTCAPABLE` is not a
 * kernel errno: it is Deno's permission system refusing (`Deno.errors.NotCapable`).
 */
export const ERRNO_WORDS: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by peer",
  ECONNABORTED: "connection aborted",
  EPIPE: "broken pipe",
  ETIMEDOUT: "timed out",
  EADDRNOTAVAIL: "address not available",
  EADDRINUSE: "address in use",
  ENOTCONN: "not connected",
  EINTR: "interrupted",
  ENETUNREACH: "network unreachable",
  EHOSTUNREACH: "host unreachable",
  ENOTFOUND: "host name not found",
  EACCES: "permission denied",
  ENOTCAPABLE: "not allowed by Deno's permissions",
  ENOENT: "no such file or directory",
  EEXIST: "already exists",
  EISDIR: "is a directory",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENOBUFS: "no buffer space available",
  ENOMEM: "out of memory",
});

/**
 * An error in words with its errno: `connection refused (ECONNREFUSED)`. An
 * error without a known errno keeps its own message. `grant` names the
 * permission to give when Deno refused (`--allow-read`, `--allow-run=ss`).
 *
 * @example
 * ```ts
 * import { describeError } from "./errno.ts";
 * console.assert(
 *   describeError(new Deno.errors.NotFound("x")) === "no such file or directory (ENOENT)",
 * );
 * console.assert(
 *   describeError(new Deno.errors.NotCapable("x"), "--allow-read") ===
 *     "not allowed by Deno's permissions (grant --allow-read)",
 * );
 * ```
 */
export function describeError(error: unknown, grant?: string): string {
  const errno = errnoOfAny(error);
  const words = ERRNO_WORDS[errno];
  if (errno === "ENOTCAPABLE") return grant ? `${words} (grant ${grant})` : words;
  if (words) return `${words} (${errno})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Names an error as {@link errnoOf} does, and also the file and permission
 * errors: `ENOENT`, `EEXIST`, `EISDIR`, and `ENOTCAPABLE` for Deno's
 * permission refusal. For a caller that words a failure its own way (a
 * command that is "not installed", an "it is a directory"), as
 * {@link describeError} words every other one.
 *
 * @example
 * ```ts
 * import { errnoOfAny } from "./errno.ts";
 * console.assert(errnoOfAny(new Deno.errors.NotFound("x")) === "ENOENT");
 * console.assert(errnoOfAny(new Deno.errors.NotCapable("x")) === "ENOTCAPABLE");
 * console.assert(errnoOfAny(new Deno.errors.ConnectionReset("x")) === "ECONNRESET");
 * ```
 */
export function errnoOfAny(error: unknown): string {
  return fileErrnoOf(error) ?? errnoOf(error);
}

// File and permission errors are named here rather than in errnoOf: a
// session's outcome never comes from them, and errnoOf's EUNKNOWN for them is
// what the engine's tallies have always recorded.
function fileErrnoOf(error: unknown): string | undefined {
  if (error instanceof Deno.errors.NotCapable) return "ENOTCAPABLE";
  if (error instanceof Deno.errors.NotFound) return "ENOENT";
  if (error instanceof Deno.errors.AlreadyExists) return "EEXIST";
  if (error instanceof Deno.errors.IsADirectory) return "EISDIR";
  return undefined;
}
