/**
 * `idle/timeout`: the idle timeout the server applies, and whether it drops
 * idle connections with a FIN or an RST (informational).
 *
 * @module
 */

import type { CaseContext, CaseFinding, CaseOptions } from "../../lib/suite/case.ts";
import { idleVerdict } from "../../lib/engine/idle_verdict.ts";

/** The case. */
export const options: CaseOptions = {
  id: "idle/timeout",
  severity: "INFO",
  requirement: "The idle timeout the server applies to silent connections",
};

/**
 * Reads the shared idle probe, which runs beside the other cases.
 *
 * @example
 * ```ts
 * import * as idleTimeout from "./idle_timeout.ts";
 * import { SuiteRunner } from "../../lib/suite/runner.ts";
 * import { DEFAULT_SUITE_SETTINGS } from "../../lib/suite/plan.ts";
 * import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
 * await using server = await startReferenceServer("idle-timeout", { idleTimeoutMs: 200 });
 * const settings = { ...DEFAULT_SUITE_SETTINGS, census: { drainMs: 300 }, idleBoundMs: 1000 };
 * const { cases } = await new SuiteRunner(server.target, [idleTimeout], { settings }).run();
 * console.assert(cases[0].verdict === "INFO", cases[0].actual);
 * ```
 */
export default async function idleTimeout(context: CaseContext): Promise<CaseFinding> {
  const result = await context.idle();
  return {
    status: "measured",
    expected: `a server may drop idle connections (watched for ${
      (result.boundMs / 1000).toFixed(0)
    }s)`,
    actual: idleVerdict(result),
  };
}
