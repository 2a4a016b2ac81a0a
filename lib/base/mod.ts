/**
 * Base: errors, exit codes, durations, targets, subprocess output: what every subsystem shares.
 *
 * @module
 */

export * from "./address_list.ts";
export * from "./closest.ts";
export * from "./command_output.ts";
export * from "./delay.ts";
export * from "./duration.ts";
export * from "./errno.ts";
export * from "./errors.ts";
export * from "./exit_codes.ts";
export * from "./limits.ts";
export * from "./target.ts";
export * from "./tcp_state.ts";
export * from "./version.ts";
