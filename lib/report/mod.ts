/**
 * Reports: text renderings of loads, sockets, suites, idle probes and backlog sweeps, JUnit XML,
 * GitHub annotations and the HTML report.
 *
 * @module
 */

export * from "./backlog_text.ts";
export * from "./github_annotations.ts";
export * from "./hgrm.ts";
export * from "./hlog.ts";
export * from "./html.ts";
export * from "./idle_text.ts";
export * from "./junit.ts";
export * from "./load_junit.ts";
export * from "./load_text.ts";
export * from "./scenario_text.ts";
export * from "./socket_text.ts";
export * from "./sparkline.ts";
export * from "./suite_text.ts";
export * from "./time_series_csv.ts";
export * from "./trace.ts";
