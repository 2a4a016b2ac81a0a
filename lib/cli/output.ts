/**
 * Where the CLI's words go: reports to stdout (or a `--json`/`--junit`
 * file), one-line messages to stderr prefixed `synfin:`.
 *
 * @module
 */

import { chooseEngine, type EngineNeeds } from "../engine/engine_choice.ts";
import type { EngineName } from "../engine/load.ts";
import { describeError } from "../base/errno.ts";
import { UsageError } from "../base/errors.ts";
import { EXIT } from "../base/exit_codes.ts";

const encoder = new TextEncoder();

/**
 * Prints one line to stderr as `synfin: TEXT`.
 *
 * @example
 * ```ts
 * import { say } from "./output.ts";
 * say("draining: sampling the server's sockets for up to 3s");
 * ```
 */
export function say(text: string): void {
  Deno.stderr.writeSync(encoder.encode(`synfin: ${text}\n`));
}

/**
 * Prints the text report, or the JSON instead with `--json -`, and writes
 * the JSON to the `--json` file. False when the file cannot be written
 * (after saying why).
 *
 * @example
 * ```ts
 * import { emit } from "./output.ts";
 * console.assert(await emit(undefined, '{"sessions": 1}', () => "1 session"));
 * ```
 */
export async function emit(
  jsonPath: string | undefined,
  json: string,
  text: () => string,
): Promise<boolean> {
  if (jsonPath === "-") {
    console.log(json);
    return true;
  }
  console.log(text());
  return jsonPath === undefined ? true : await writeReport(jsonPath, "--json", json);
}

/**
 * Writes a report file given with `option`, ending it with a newline. False
 * when it cannot be written, after saying why in one line, e.g. `Cannot
 * write --junit out/x.xml: no such file or directory (ENOENT); give a
 * writable path`.
 *
 * @example
 * ```ts
 * import { writeReport } from "./output.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * console.assert(await writeReport(path, "--json", "{}"));
 * console.assert(await Deno.readTextFile(path) === "{}\n");
 * await Deno.remove(path);
 * ```
 */
export async function writeReport(
  path: string,
  option: string,
  contents: string,
): Promise<boolean> {
  try {
    await Deno.writeTextFile(path, contents.endsWith("\n") ? contents : `${contents}\n`);
    return true;
  } catch (error) {
    say(
      `Cannot write ${option} ${path}: ${
        describeError(error, "--allow-write")
      }; give a writable path`,
    );
    return false;
  }
}

/**
 * Says a {@link UsageError}'s message, pointing at `--help` unless `hint` is
 * false, and returns the usage exit code. Any other error is rethrown.
 *
 * @example
 * ```ts
 * import { UsageError } from "../base/errors.ts";
 * import { sayUsageError } from "./output.ts";
 * console.assert(sayUsageError(new UsageError('Invalid --rate "x"')) === 2);
 * ```
 */
export function sayUsageError(error: unknown, { hint = true } = {}): number {
  if (!(error instanceof UsageError)) throw error;
  say(hint ? `${error.message} (see --help)` : error.message);
  return EXIT.usage;
}

/**
 * Says, in one line, that the default engine fell back to `deno` and why
 * (not Linux, FFI not permitted, or `--tls`); says nothing when `raw` runs
 * or an engine was asked for.
 *
 * @example
 * ```ts
 * import { sayEngineFallback } from "./output.ts";
 * sayEngineFallback("deno"); // asked for: nothing to say
 * ```
 */
export function sayEngineFallback(engine: EngineName | undefined, needs?: EngineNeeds): void {
  const { fallbackReason } = chooseEngine(engine, needs);
  if (fallbackReason) say(`using --engine deno: ${fallbackReason}`);
}
