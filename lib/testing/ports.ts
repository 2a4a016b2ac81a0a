/**
 * The ports the reference servers listen on, and their targets. Internal to
 * lib/testing.
 *
 * @module
 */

import { destinationLabel, type Target } from "../base/target.ts";

/**
 * Below the ephemeral range (32768-60999 on Linux), so that a tester's own
 * port in TIME_WAIT never collides with a server's.
 */
export const PORT_RANGE: Readonly<{ from: number; to: number }> = Object.freeze({
  from: 20000,
  to: 32767,
});

/**
 * A random port in {@link PORT_RANGE}; the caller retries on EADDRINUSE.
 *
 * @example
 * ```ts
 * import { PORT_RANGE, randomPort } from "./ports.ts";
 * const port = randomPort();
 * console.assert(port >= PORT_RANGE.from && port < PORT_RANGE.to);
 * ```
 */
export function randomPort(): number {
  return PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
}

/**
 * Whether no socket lingers on local port `port`. A TIME_WAIT left there by
 * an earlier server would be taken over by a new connection with the same
 * 4-tuple (the kernel hands out a destination's client ports in the same
 * order each time), and a census of the new server would miss its own
 * TIME_WAIT sockets. Best effort: true when `ss` may not or cannot run.
 *
 * @example
 * ```ts
 * import { portIsQuiet } from "./ports.ts";
 * console.assert(typeof portIsQuiet(1) === "boolean");
 * ```
 */
export function portIsQuiet(port: number): boolean {
  if (Deno.permissions.querySync({ name: "run", command: "ss" }).state !== "granted") return true;
  try {
    const output = new Deno.Command("ss", {
      args: ["-Htan", `sport = :${port}`],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return !output.success || new TextDecoder().decode(output.stdout).trim() === "";
  } catch {
    return true;
  }
}

/**
 * The target of a server listening on `hostname:port` (an IPv6 address in brackets).
 *
 * @example
 * ```ts
 * import { targetOf } from "./ports.ts";
 * console.assert(targetOf("::1", 20000).label === "[::1]:20000");
 * ```
 */
export function targetOf(hostname: string, port: number): Target {
  return {
    hostname,
    port,
    label: destinationLabel(hostname, port),
  };
}
