/**
 * Reference servers for tests: well-behaved, leaky, closes-first, reset, slow-accept and
 * idle-timeout TCP servers on loopback (the leaky one may leak only one connection in N), one
 * that never reads.
 *
 * @module
 */

export * from "./reference_servers.ts";
export * from "./zero_window_server.ts";
