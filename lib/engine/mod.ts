/**
 * The engine: timed TCP sessions, their outcomes, the worker-spread load runner, HDR histograms,
 * the preflight and the idle probe.
 *
 * @module
 */

export * from "./deadlines.ts";
export * from "./histogram.ts";
export * from "./idle_probe.ts";
export * from "./interval_histograms.ts";
export * from "./idle_verdict.ts";
export * from "./kernel_evidence.ts";
export * from "./engine_choice.ts";
export * from "./generators.ts";
export * from "./load.ts";
export * from "./outcome.ts";
export * from "./plan.ts";
export * from "./preflight.ts";
export * from "./runner.ts";
export * from "./segment.ts";
export * from "./scripted/mod.ts";
export * from "./session.ts";
export * from "./session_record.ts";
export * from "./sources.ts";
export * from "./stages.ts";
export * from "./start_schedule.ts";
export * from "./tally.ts";
export * from "./tester_saturation.ts";
export * from "./tester_usage.ts";
export * from "./trace_sample.ts";
export * from "./tls.ts";
export type { KernelTcpState } from "./raw/tcp_info.ts";
