/**
 * Report paths (`--json FILE`, `--junit FILE`, the config file's `json` and
 * `junit`) checked before anything connects: a run of minutes whose report
 * cannot be written would otherwise lose its results at the end.
 *
 * @module
 */

import { describeError, errnoOfAny } from "../base/errno.ts";
import { UsageError } from "../base/errors.ts";

/**
 * Checks that `path` can be written, by opening it for writing without
 * truncating it (a file that did not exist is created and removed again).
 * `-` (stdout) always can.
 *
 * @throws {UsageError} `Cannot write --json out/x.json: no such file or directory (ENOENT);
 * give a writable path`, the words of the write that would have failed after the run.
 * @example
 * ```ts
 * import { checkOutputPath } from "./output_paths.ts";
 * const dir = await Deno.makeTempDir();
 * checkOutputPath(`${dir}/report.xml`, "--junit"); // passes, and leaves no file
 * let refused = false;
 * try {
 *   checkOutputPath(`${dir}/missing/report.xml`, "--junit");
 * } catch {
 *   refused = true;
 * }
 * console.assert(refused);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function checkOutputPath(path: string, option: string): void {
  if (path === "-") return;
  try {
    try {
      Deno.openSync(path, { write: true, createNew: true }).close();
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      Deno.openSync(path, { write: true }).close();
      return;
    }
    Deno.removeSync(path);
  } catch (error) {
    const errno = errnoOfAny(error);
    const words = errno === "EISDIR" ? "it is a directory" : describeError(error, "--allow-write");
    throw new UsageError(`Cannot write ${option} ${path}: ${words}; give a writable path`, {
      cause: error,
    });
  }
}
