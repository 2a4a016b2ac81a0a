/**
 * The ports the reference servers listen on, and their targets. Internal to
 * lib/testing.
 *
 * @module
 */

import type { Target } from "../base/target.ts";

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
    label: hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`,
  };
}
