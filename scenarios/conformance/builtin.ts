/**
 * The built-in conformance cases, in the order the suite runs them:
 * following a connection's life, from the handshake to lingering sockets,
 * with the steady load last.
 *
 * @module
 */

import type { ConformanceCase } from "../../lib/suite/case.ts";
import * as handshakeAccepts from "./handshake_accepts.ts";
import * as handshakeBurst from "./handshake_burst.ts";
import * as closeAnswersFin from "./close_answers_fin.ts";
import * as closeNoReset from "./close_no_reset.ts";
import * as closeHalfClose from "./close_half_close.ts";
import * as closeServerTimeWait from "./close_server_time_wait.ts";
import * as abortSurvivesReset from "./abort_survives_reset.ts";
import * as lingerNoCloseWait from "./linger_no_close_wait.ts";
import * as idleTimeout from "./idle_timeout.ts";
import * as loadSteady from "./load_steady.ts";

/**
 * Every built-in case.
 *
 * @example
 * ```ts
 * import { BUILTIN_CASES } from "./builtin.ts";
 * console.assert(BUILTIN_CASES[0].options.id === "handshake/accepts");
 * ```
 */
export const BUILTIN_CASES: readonly ConformanceCase[] = [
  handshakeAccepts,
  handshakeBurst,
  closeAnswersFin,
  closeNoReset,
  closeHalfClose,
  closeServerTimeWait,
  abortSurvivesReset,
  lingerNoCloseWait,
  idleTimeout,
  loadSteady,
];
