/**
 * Which socket layer a load runs on: the one asked for, else the raw engine
 * where it can run, else `Deno.connect`, with the reason in one line.
 *
 * @module
 */

import { UsageError } from "../base/errors.ts";
import { type EngineName, ENGINES } from "./load.ts";
import { rawEngineUnavailable } from "./raw/libc.ts";

/** The engine a run gets, and why it is not the raw one when it is not. */
export interface EngineChoice {
  /** The engine. */
  engine: EngineName;
  /** Set when the default fell back to `deno`: why `raw` could not run. */
  fallbackReason?: string;
}

/** What the run needs of its engine. */
export interface EngineNeeds {
  /**
   * Sessions speak TLS (`--tls`): the raw engine does not, so the default
   * falls back to `deno` and `--engine raw` is a usage error.
   *
   * @default {false}
   */
  tls?: boolean;
}

/** Why the raw engine cannot run a `--tls` load, as the fallback line says it. */
export const RAW_ENGINE_NO_TLS = "the raw engine does not do TLS";

/**
 * Chooses the engine: `requested`, else `SYNFIN_ENGINE` from the
 * environment, else `raw` where it can run (Linux, FFI permitted, no
 * `needs.tls`), else `deno` with the reason.
 *
 * @throws {UsageError} when `raw` is asked for and cannot run here (or the
 * run needs TLS), or `SYNFIN_ENGINE` names no engine.
 * @example
 * ```ts
 * import { chooseEngine } from "./engine_choice.ts";
 * console.assert(chooseEngine("deno").engine === "deno");
 * const tls = chooseEngine(undefined, { tls: true });
 * console.assert(tls.engine === "deno");
 * const choice = chooseEngine();
 * console.assert(choice.engine === "raw" || choice.fallbackReason !== undefined);
 * ```
 */
export function chooseEngine(requested?: EngineName, needs: EngineNeeds = {}): EngineChoice {
  if (requested === "raw" && needs.tls) {
    throw new UsageError(
      "Cannot use --engine raw with --tls: the raw engine does not do TLS; " +
        "use --engine deno or leave --engine out",
    );
  }
  const unavailable = requested === "deno"
    ? undefined
    : needs.tls
    ? RAW_ENGINE_NO_TLS
    : rawEngineUnavailable();
  if (requested === "raw" && unavailable) {
    throw new UsageError(`Cannot use --engine raw: ${unavailable}; use --engine deno`);
  }
  if (requested !== undefined) return { engine: requested };
  // The environment sets a default, not a demand: raw falls back as the
  // built-in default does, and says so.
  const preferred = engineFromEnvironment() ?? "raw";
  if (preferred === "deno") return { engine: "deno" };
  return unavailable ? { engine: "deno", fallbackReason: unavailable } : { engine: "raw" };
}

function engineFromEnvironment(): EngineName | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: "SYNFIN_ENGINE" }).state !== "granted") {
    return undefined;
  }
  const value = Deno.env.get("SYNFIN_ENGINE");
  if (value === undefined || value === "") return undefined;
  if (!(ENGINES as readonly string[]).includes(value)) {
    throw new UsageError(`Invalid SYNFIN_ENGINE "${value}": use ${ENGINES.join(" or ")}`);
  }
  return value as EngineName;
}
