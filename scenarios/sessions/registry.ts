/**
 * The built-in session scenarios, by the name `synfin run NAME` takes: each
 * is a scenario module next to this file, written with the same API as a
 * user's (`export default async function (session)`), so any of them is a
 * starting point to copy.
 *
 * @module
 */

/** One built-in scenario. */
export interface BuiltinSessionScenario {
  /** The module's URL, for `loadScenario`. */
  url: string;
  /** What it does, one line. */
  description: string;
}

function builtin(file: string, description: string): BuiltinSessionScenario {
  return { url: new URL(file, import.meta.url).href, description };
}

/**
 * The built-in scenarios by name, in the order help lists them.
 *
 * @example
 * ```ts
 * import { BUILTIN_SESSION_SCENARIOS } from "./registry.ts";
 * import { loadScenario } from "../../lib/engine/scripted/scenario_module.ts";
 * const scenario = await loadScenario(BUILTIN_SESSION_SCENARIOS["redis-ping"].url);
 * console.assert(typeof scenario.default === "function");
 * ```
 */
export const BUILTIN_SESSION_SCENARIOS: Readonly<Record<string, BuiltinSessionScenario>> = Object
  .freeze({
    "half-close": builtin(
      "./half_close.ts",
      "the default lifecycle: optional --send and first bytes back, --hold, our FIN, the server's",
    ),
    "half-close-reply": builtin(
      "./half_close_reply.ts",
      "--send (or a short line) and our FIN at once, then the reply read to the server's FIN",
    ),
    "server-closes-first": builtin(
      "./server_closes_first.ts",
      "optional --send, then the server's FIN awaited before ours (a check fails if it never closes)",
    ),
    "http10": builtin(
      "./http10.ts",
      "GET / HTTP/1.0 (or --send), status 2xx/3xx checked, read until the server closes",
    ),
    "line-echo": builtin(
      "./line_echo.ts",
      "one line out, the same line back (checked), then the half-close",
    ),
    "redis-ping": builtin(
      "./redis_ping.ts",
      "PING, +PONG checked, then the half-close (Redis must answer our FIN)",
    ),
    "hold": builtin(
      "./hold.ts",
      "an idle connection held --hold (10 s by default, checked), then the default close",
    ),
    "abort": builtin(
      "./abort.ts",
      "optional --send, then our RST instead of a FIN (outcome aborted)",
    ),
    "slow-writer": builtin(
      "./slow_writer.ts",
      "the payload one byte at a time (100 ms apart, or spread over --hold), answer checked",
    ),
    "exchanges": builtin(
      "./exchanges.ts",
      "--send every 1/--message-rate s for --hold (10/s, 10 s), each answer timed (mark exchange)",
    ),
  });

/**
 * The module URL of the built-in scenario `name`, or `undefined` when there
 * is none by that name.
 *
 * @example
 * ```ts
 * import { builtinScenarioUrl } from "./registry.ts";
 * console.assert(builtinScenarioUrl("hold")?.endsWith("/scenarios/sessions/hold.ts"));
 * console.assert(builtinScenarioUrl("nope") === undefined);
 * ```
 */
export function builtinScenarioUrl(name: string): string | undefined {
  return Object.hasOwn(BUILTIN_SESSION_SCENARIOS, name)
    ? BUILTIN_SESSION_SCENARIOS[name].url
    : undefined;
}
