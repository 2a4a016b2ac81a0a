/**
 * Reference servers for tests: well-behaved, leaky, closes-first, reset, slow-accept and
 * idle-timeout TCP servers on loopback.
 *
 * @module
 */

export * from "./reference_servers.ts";
