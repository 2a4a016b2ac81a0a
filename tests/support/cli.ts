/** Runs the real CLI in a child process, as a user would, and collects its output. */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const CLI = fromFileUrl(new URL("../../cli.ts", import.meta.url));
const CONFIG = fromFileUrl(new URL("../../deno.json", import.meta.url));

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -P=test cli.ts ARGS`; `signalAfterMs` sends Ctrl+C, `ulimit` caps
 * the file descriptors of the child, `env` adds environment variables.
 */
export function synfin(
  args: string[],
  options: { signalAfterMs?: number; ulimit?: number; env?: Record<string, string> } = {},
) {
  // The test set: the default set grants writes in synfin's folder only, and
  // these runs write reports to temporary files (tests/faults/inputs_test.ts
  // runs the default set itself).
  const denoArgs = ["run", "-q", "-P=test", "--config", CONFIG, CLI, ...args];
  const command = options.ulimit === undefined
    ? new Deno.Command(Deno.execPath(), {
      args: denoArgs,
      stdout: "piped",
      stderr: "piped",
      env: options.env,
    })
    : new Deno.Command("sh", {
      // Deno raises its soft fd limit to the hard one by itself: cap both.
      args: ["-c", `ulimit -n ${options.ulimit} && exec "$0" "$@"`, Deno.execPath(), ...denoArgs],
      stdout: "piped",
      stderr: "piped",
    });
  const child = command.spawn();
  const timer = options.signalAfterMs === undefined
    ? undefined
    : setTimeout(() => child.kill("SIGINT"), options.signalAfterMs);
  return child.output().then((output): CliRun => {
    clearTimeout(timer);
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  });
}

/**
 * Runs the whole suite (short load and idle bound) against a peer server on
 * 127.0.0.1:`port`, asserts exit 0 with every MUST case PASS, and returns
 * the JSON result for further checks.
 */
export async function suiteEveryMustPasses(
  port: number,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const run = await synfin(["-d", "1s", "--idle-bound", "1s", "--json", "-", `127.0.0.1:${port}`]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const result = JSON.parse(run.stdout);
  for (const c of result.cases) {
    if (c.severity === "MUST") assert.equal(c.verdict, "PASS", `${c.id}: ${c.actual}`);
  }
  return result;
}
