/**
 * `synfin idle HOST:PORT`: holds idle connections and reports when and how
 * the server drops them.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";
import { probeIdleTimeout } from "../engine/idle_probe.ts";
import { renderIdleReport } from "../report/idle_text.ts";
import type { IdleCommand } from "./idle_args.ts";
import { onCtrlC } from "./interrupt.ts";
import { emit, say } from "./output.ts";
import { reach } from "./reach.ts";
import { StatusLine } from "./status.ts";
import { renderIdleEnd } from "./status_end.ts";

/**
 * Runs `idle` and returns the exit code: 1 when no connection opened, 130
 * when interrupted, else 0 (how the server drops idle connections is a
 * finding, not a failure).
 *
 * @example
 * ```ts
 * import { idle } from "./idle.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const code = await idle({
 *   kind: "idle",
 *   target: server.target,
 *   idle: { connections: 2, boundMs: 200 },
 *   jsonPath: "-",
 * });
 * console.assert(code === 0);
 * ```
 */
export async function idle(command: IdleCommand): Promise<number> {
  using stop = onCtrlC();
  const unreachable = await reach(command.target, command.idle.connectTimeoutMs, stop.signal);
  if (unreachable !== undefined) return unreachable;
  const result = await probeIdleTimeout(command.target, { ...command.idle, signal: stop.signal });
  // Off a terminal, one line of what the probe saw; before the verdict line, the log's last.
  new StatusLine().end(renderIdleEnd(result));
  const json = JSON.stringify(result, null, 2);
  if (!await emit(command.jsonPath, json, () => renderIdleReport(command.target, result))) {
    return EXIT.usage;
  }
  if (result.interrupted) {
    say("interrupted: the report above covers what the probe saw");
    return EXIT.interrupted;
  }
  return result.opened === 0 ? EXIT.failed : EXIT.ok;
}
