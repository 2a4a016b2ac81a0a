/**
 * What a scenario module needs, and nothing heavier: the {@link Session}
 * type, `check`, the options type and the socket failure class. A scenario
 * may import this (`@synfin/synfin/scenario`) or the whole `mod.ts`; this one
 * loads faster in each of the run's workers.
 *
 * @example
 * ```ts
 * import { check, type ScenarioOptions, type Session } from "./mod.ts";
 * // In a scenario module: `export const options` and `export default async function`.
 * const options = { concurrency: 10, duration: "1s" } satisfies ScenarioOptions;
 * async function scenario(session: Session) {
 *   await session.connect();
 *   check("connected", true);
 * }
 * console.assert(options.concurrency === 10 && typeof scenario === "function");
 * ```
 *
 * @module
 */

export * from "./checks.ts";
export * from "./graceful_stop.ts";
export * from "./node_socket.ts";
export * from "./run_scripted.ts";
export * from "./scenario_module.ts";
export * from "./scripted_session.ts";
export * from "./session_api.ts";
export * from "./socket.ts";
export * from "./tls_socket.ts";
