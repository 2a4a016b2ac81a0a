/**
 * synfin: a TCP connection-lifecycle load and conformance tester.
 *
 * Opens real TCP sessions, times the handshake, the first response byte and
 * the four-way close, reports how each session ended, takes a census of the
 * sockets the server leaves behind, runs conformance cases with verdicts,
 * and benchmarks the accept queue with bursts.
 *
 * @example
 * ```ts ignore
 * import { LoadRunner, parseTarget, renderTextReport, summarizeLoad } from "./mod.ts";
 * const result = await new LoadRunner(parseTarget("127.0.0.1:8080"), { sessions: 1000 }).run();
 * console.log(renderTextReport(summarizeLoad(result)));
 * ```
 *
 * @example
 * ```ts ignore
 * import { BUILTIN_CASES, DEFAULT_SUITE_SETTINGS, parseTarget, SuiteRunner } from "./mod.ts";
 * const suite = new SuiteRunner(parseTarget("127.0.0.1:8080"), BUILTIN_CASES, {
 *   settings: DEFAULT_SUITE_SETTINGS,
 * });
 * console.log((await suite.run()).passed);
 * ```
 *
 * @module
 */

export * from "./lib/base/mod.ts";
export * from "./lib/engine/mod.ts";
export * from "./lib/census/mod.ts";
export * from "./lib/suite/mod.ts";
export * from "./lib/backlog/mod.ts";
export * from "./lib/report/mod.ts";
export * from "./lib/testing/mod.ts";
export { BUILTIN_CASES } from "./scenarios/conformance/builtin.ts";
