/**
 * The socket census: the kernel's socket table around a load (CLOSE_WAIT, TIME_WAIT, half-open),
 * namespace counters, TCP sysctls, and the load with its census and summary.
 *
 * @module
 */

export * from "./census.ts";
export * from "./findings.ts";
export * from "./identity.ts";
export * from "./kernel_counters.ts";
export * from "./load.ts";
export * from "./load_summary.ts";
export * from "./load_verdict.ts";
export * from "./merge_census.ts";
export * from "./merge_summaries.ts";
export * from "./proc_net_tcp.ts";
export * from "./row.ts";
export * from "./settings.ts";
export * from "./settled.ts";
export * from "./socket_report.ts";
export * from "./source.ts";
export * from "./ss.ts";
export * from "./sysctls.ts";
export * from "./table.ts";
export * from "./watch.ts";
export * from "./with_census.ts";
