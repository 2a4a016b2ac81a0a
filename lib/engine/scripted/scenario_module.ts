/**
 * Loads a scenario module and checks its shape: a default function, and
 * `options` an object when present (its keys are checked by the caller, with
 * the config file's validator).
 *
 * @module
 */

import { UsageError } from "../../base/errors.ts";
import type { ScenarioModule } from "./session_api.ts";

/**
 * Imports the scenario at `url` (a `file:` URL, or any module specifier Deno
 * loads).
 *
 * @throws {UsageError} when the module fails to load (the message names the
 * file and line Deno gave) or has no default function.
 * @example
 * ```ts
 * import { loadScenario } from "./scenario_module.ts";
 * const url = "data:text/javascript,export default async (session) => { await session.connect(); }";
 * const scenario = await loadScenario(url);
 * console.assert(typeof scenario.default === "function");
 * ```
 */
export async function loadScenario(url: string): Promise<ScenarioModule> {
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(url);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot load scenario ${shown(url)}: ${message.split("\n")[0]}`, {
      cause: error,
    });
  }
  if (typeof loaded.default !== "function") {
    throw new UsageError(
      `Scenario ${shown(url)} has no default export function: ` +
        "write `export default async function (session) { ... }`",
    );
  }
  const options = loaded.options;
  if (
    options !== undefined &&
    (typeof options !== "object" || options === null || Array.isArray(options))
  ) {
    throw new UsageError(`Scenario ${shown(url)}: \`options\` must be an object`);
  }
  return loaded as unknown as ScenarioModule;
}

function shown(url: string): string {
  if (!url.startsWith("file:")) return url.length > 80 ? `${url.slice(0, 77)}...` : url;
  const path = decodeURIComponent(new URL(url).pathname);
  const cwd = Deno.cwd() + "/";
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}
