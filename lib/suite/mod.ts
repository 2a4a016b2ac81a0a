/**
 * The conformance suite: cases, verdicts, case selection, the suite runner, its plan, config
 * file, metrics and thresholds.
 *
 * @module
 */

export * from "./case.ts";
export * from "./case_verdict.ts";
export * from "./config.ts";
export * from "./load_thresholds.ts";
export * from "./metrics.ts";
export * from "./plan.ts";
export * from "./result.ts";
export * from "./run_keys.ts";
export * from "./runner.ts";
export * from "./selection.ts";
export * from "./tester_limit.ts";
export * from "./threshold.ts";
export * from "./tls_config.ts";
