/**
 * The `idle` command line: how many idle connections to hold, and for how long.
 *
 * @module
 */

import type { Target } from "../base/target.ts";
import { MAX_IDLE_CONNECTIONS } from "../engine/idle_probe.ts";
import {
  COMMON_OPTIONS,
  type EarlyCommand,
  integer,
  jsonPathOf,
  parseOptions,
  positiveDuration,
} from "./parse.ts";

/** Options of the `idle` command. */
export interface IdleChoice {
  /** Idle connections to hold. */
  connections: number;
  /** How long to wait for the server to drop them, ms. */
  boundMs: number;
  /** Handshake timeout, ms. */
  connectTimeoutMs?: number;
}

/** A parsed `idle` command line. */
export interface IdleCommand {
  /** The command. */
  kind: "idle";
  /** The server. */
  target: Target;
  /** The probe's options. */
  idle: IdleChoice;
  /** `--json FILE`: write the JSON result there (`-`: stdout instead of the text). */
  jsonPath?: string;
}

const IDLE_OPTIONS = {
  ...COMMON_OPTIONS,
  connections: { type: "string" },
  bound: { type: "string" },
} as const;

/**
 * Parses the words after `idle`.
 *
 * @throws {UsageError} on any bad option or value.
 * @example
 * ```ts
 * import { parseIdleArgs } from "./idle_args.ts";
 * const command = parseIdleArgs(["--bound", "2m", "127.0.0.1:8080"]);
 * console.assert(command.kind === "idle" && command.idle.boundMs === 120_000);
 * ```
 */
export function parseIdleArgs(args: string[]): IdleCommand | EarlyCommand {
  const { values, target, early } = parseOptions(args, IDLE_OPTIONS, { topic: "idle" });
  if (early) return early;
  const idle: IdleChoice = {
    connections: values.connections === undefined
      ? 10
      : integer(values.connections, "--connections", 1, MAX_IDLE_CONNECTIONS),
    boundMs: values.bound === undefined ? 30_000 : positiveDuration(values.bound, "--bound"),
  };
  if (values["connect-timeout"] !== undefined) {
    idle.connectTimeoutMs = positiveDuration(values["connect-timeout"], "--connect-timeout");
  }
  return { kind: "idle", target: target!, idle, ...jsonPathOf(values.json) };
}
