/**
 * `run SCENARIO` and `load --scenario SCENARIO`: a built-in scenario's name
 * or a module file, type-checked and loaded before anything connects, its
 * `options` checked as the config file's keys are.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { closest } from "../base/closest.ts";
import { UsageError } from "../base/errors.ts";
import { denoProgram } from "../engine/generator_process.ts";
import { loadScenario } from "../engine/scripted/scenario_module.ts";
import { checkConfigObject, type SynfinConfig } from "../suite/config.ts";
import {
  BUILTIN_SESSION_SCENARIOS,
  builtinScenarioUrl,
} from "../../scenarios/sessions/registry.ts";

/** The config keys a scenario's `options` may set. */
export const SCENARIO_OPTION_KEYS: readonly (keyof SynfinConfig)[] = [
  "concurrency",
  "sessions",
  "duration",
  "rate",
  "thresholds",
  "connectTimeout",
  "closeTimeout",
  "hold",
  "send",
  "tags",
  "stages",
  "tls",
];

/** A scenario ready to run. */
export interface ResolvedScenario {
  /** As given: a built-in's name or the file. */
  name: string;
  /** The module URL the workers import. */
  url: string;
  /** Its `options`, checked, as config keys. */
  options: SynfinConfig;
}

/** Options of {@link resolveScenario}. */
export interface ResolveScenarioOptions {
  /**
   * Type-check a module file with `deno check` first, so a type error is a
   * usage error naming the file and line rather than a failure in every
   * session. Built-in scenarios are checked by synfin's own CI.
   *
   * @default {true}
   */
  typeCheck?: boolean;
}

/**
 * Finds, checks and loads a scenario.
 *
 * @throws {UsageError} when it names no built-in scenario and no file, does
 * not type-check or load, or its `options` are invalid.
 * @example
 * ```ts
 * import { resolveScenario } from "./scenario_file.ts";
 * const scenario = await resolveScenario("half-close");
 * console.assert(scenario.url.endsWith("half_close.ts"));
 * ```
 */
export async function resolveScenario(
  given: string,
  { typeCheck = true }: ResolveScenarioOptions = {},
): Promise<ResolvedScenario> {
  const builtin = builtinScenarioUrl(given);
  let url: string;
  if (builtin !== undefined) url = builtin;
  else {
    const path = isAbsolute(given) ? given : resolve(Deno.cwd(), given);
    if (!await isFile(path)) {
      const names = Object.keys(BUILTIN_SESSION_SCENARIOS);
      const near = closest(given, names);
      throw new UsageError(
        `Cannot load scenario ${given}: no such file, and no built-in scenario of that name` +
          (near ? ` (did you mean '${near}'?)` : ` (built-in: ${names.join(", ")})`),
      );
    }
    if (typeCheck) await typeCheckModule(given, path);
    url = pathToFileURL(path).href;
  }
  const module = await loadScenario(url);
  const options = checkConfigObject(
    module.options ?? {},
    `options of scenario ${given}`,
    SCENARIO_OPTION_KEYS,
  );
  return { name: given, url, options };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * `deno check` on the module: its first diagnostic, with the file and line
 * Deno gives, becomes the one-line usage error.
 */
async function typeCheckModule(given: string, path: string): Promise<void> {
  const output = await new Deno.Command(denoProgram(), {
    args: ["check", "--quiet", path],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (output.success) return;
  const text = new TextDecoder().decode(output.stderr);
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  const error = lines.find((line) => /error/i.test(line)) ?? lines[0] ?? "deno check failed";
  const at = lines.find((line) => line.startsWith("at "))?.replace(
    /^at file:\/\/\S*?([^/]+:\d+:\d+)$/,
    "at $1",
  );
  throw new UsageError(
    `Scenario ${given} does not type-check: ${error.replace(/^error:\s*/i, "")}${
      at ? ` ${at}` : ""
    }`,
  );
}
