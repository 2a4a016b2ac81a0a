/**
 * Reference servers for tests: well-behaved, leaky, closes-first, reset, slow-accept and
 * idle-timeout TCP servers on loopback, one that leaks some connections, one that never reads.
 *
 * @module
 */

export * from "./partial_leak_server.ts";
export * from "./reference_servers.ts";
export * from "./zero_window_server.ts";
