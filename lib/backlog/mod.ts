/**
 * The backlog benchmark: bursts of simultaneous connects, the sweep over burst sizes, the
 * capacity estimate and the comparison of two runs.
 *
 * @module
 */

export * from "./burst.ts";
export * from "./capacity.ts";
export * from "./compare.ts";
export * from "./estimate.ts";
export * from "./queue_wait.ts";
export * from "./server_gone.ts";
export * from "./sweep.ts";
export * from "./sweep_options.ts";
export * from "./sweep_result.ts";
export * from "./unreliable.ts";
export * from "./verdict.ts";
