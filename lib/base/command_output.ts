/**
 * Runs a helper command (`cat`, `ss`) and captures what it printed. The
 * census reads `/proc/net` and `/proc/sys` through subprocesses because Deno
 * refuses those files under `--allow-read`; this keeps the spawning, and the
 * wording of its failures, in one place.
 *
 * @module
 */

import { describeError, errnoOfAny } from "./errno.ts";
import { CommandSpawnError } from "./errors.ts";

/** What a finished command printed. */
export interface CommandText {
  /** Its standard output. */
  stdout: string;
  /** The first line of its standard error, trimmed ("" when silent). */
  stderrLine: string;
  /** Exit code. */
  code: number;
  /** Exit code 0. */
  success: boolean;
}

/**
 * Runs `command args...` with no input and returns its output.
 *
 * @throws {CommandSpawnError} when the command cannot be started.
 * @example
 * ```ts
 * import { runCommand } from "./command_output.ts";
 * const out = await runCommand("cat", ["/proc/sys/net/core/somaxconn"]);
 * console.assert(out.success && Number(out.stdout) > 0);
 * ```
 */
export async function runCommand(command: string, args: string[]): Promise<CommandText> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new CommandSpawnError(describeSpawnError(command, error), { cause: error });
  }
  const decoder = new TextDecoder();
  return {
    stdout: decoder.decode(output.stdout),
    stderrLine: decoder.decode(output.stderr).trim().split("\n")[0],
    code: output.code,
    success: output.success,
  };
}

/**
 * `COMMAND exited with code N: first stderr line`, for a failed command.
 *
 * @example
 * ```ts
 * import { exitedWith } from "./command_output.ts";
 * const text = { stdout: "", stderrLine: "No such file", code: 1, success: false };
 * console.assert(exitedWith("cat x", text) === "cat x exited with code 1: No such file");
 * ```
 */
export function exitedWith(commandLine: string, text: CommandText): string {
  return `${commandLine} exited with code ${text.code}${
    text.stderrLine ? `: ${text.stderrLine}` : ""
  }`;
}

// A spawn's ENOENT is the program, not a file the user named, and both of
// Deno's refusal and the OS's EACCES mean the same to the user: these two get
// their own words; every other failure gets describeError's.
function describeSpawnError(command: string, error: unknown): string {
  const errno = errnoOfAny(error);
  if (errno === "ENOTCAPABLE" || errno === "EACCES") {
    return `not allowed to run ${command} (grant --allow-run=${command})`;
  }
  if (errno === "ENOENT") return `${command} is not installed or not on PATH`;
  return describeError(error);
}
