/**
 * The status line: progress redrawn in place on stderr, only when stderr is
 * a terminal; a CI log or a pipe gets one line at the end instead
 * ({@link StatusLine.end}, its words in `status_end.ts`).
 * What a line says is built by pure functions ({@link renderLoadStatus},
 * {@link renderCaseLine}), so it is tested without a terminal.
 *
 * @module
 */

import type { LoadProgress, LoadProgressEvent } from "../engine/load.ts";
import { FAILING_OUTCOMES, type Outcome, OUTCOMES } from "../engine/outcome.ts";
import type { CaseResult } from "../suite/result.ts";

const encoder = new TextEncoder();

// Carriage return, then erase to the end of the line.
const ERASE = "\r\x1b[K";

/**
 * Redraws at most this often. The runner dispatches one event per event
 * loop's report (each loop reports every 250 ms, at its own phase), so
 * drawing each one showed one elapsed time several times with different
 * counts; one draw per period shows the sum once.
 */
export const DRAW_EVERY_MS = 250;

/** The rate is measured over about this window of the latest reports. */
const RATE_WINDOW_MS = 2000;

/** What a load was planned to do, for "elapsed / planned" and the ETA. */
export interface PlannedLoad {
  /** Time bound, ms, or `null`. */
  durationMs: number | null;
  /** Session count bound, or `null`. */
  sessions: number | null;
}

/**
 * A count as the status lines write it.
 *
 * @example
 * ```ts
 * import { count } from "./status.ts";
 * console.assert(count(1200) === "1,200");
 * ```
 */
export const count = (n: number): string => n.toLocaleString("en-US");

/**
 * A duration, ms, as the status lines write it.
 *
 * @example
 * ```ts
 * import { seconds } from "./status.ts";
 * console.assert(seconds(1500) === "1.5s");
 * ```
 */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/**
 * A latency for the status line: `830us`, `4.2ms`, `1.03s`.
 *
 * @example
 * ```ts
 * import { shortLatency } from "./status.ts";
 * console.assert(shortLatency(830) === "830us" && shortLatency(4210) === "4.2ms");
 * console.assert(shortLatency(1_030_000) === "1.03s");
 * ```
 */
export function shortLatency(us: number): string {
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

/**
 * One status line of a load: elapsed / planned, sessions and their rate, in
 * flight, the outcomes so far (failing ones first), handshake p99 so far,
 * and the time left.
 *
 * @example
 * ```ts
 * import { renderLoadStatus } from "./status.ts";
 * const line = renderLoadStatus(
 *   { completed: 1200, failed: 3, inFlight: 50, elapsedMs: 2000, handshakeP99Us: 1500,
 *     outcomes: { clean: 1197, reset: 3 } as never },
 *   { durationMs: 5000, sessions: null },
 *   600,
 * );
 * console.assert(line === "2.0s / 5.0s  1,200 sessions  600/s  50 in flight  reset 3  clean 1,197  handshake p99 1.5ms  3.0s left");
 * ```
 */
export function renderLoadStatus(
  progress: LoadProgress,
  planned: PlannedLoad,
  ratePerSecond: number | null,
): string {
  const { completed, failed, inFlight, elapsedMs, outcomes, handshakeP99Us } = progress;
  const parts = [
    planned.durationMs === null
      ? seconds(elapsedMs)
      : `${seconds(elapsedMs)} / ${seconds(planned.durationMs)}`,
    planned.sessions === null
      ? `${count(completed)} sessions`
      : `${count(completed)} / ${count(planned.sessions)} sessions`,
  ];
  if (ratePerSecond !== null) parts.push(`${count(Math.round(ratePerSecond))}/s`);
  parts.push(`${count(inFlight)} in flight`);
  if (outcomes) {
    parts.push(...outcomeWords(outcomes));
  } else if (failed > 0) {
    parts.push(`${count(failed)} failed`);
  }
  if (handshakeP99Us !== undefined) parts.push(`handshake p99 ${shortLatency(handshakeP99Us)}`);
  const left = timeLeftMs(progress, planned, ratePerSecond);
  if (left !== null) parts.push(`${seconds(left)} left`);
  return parts.join("  ");
}

/**
 * The outcomes seen, as `reset 3`, `clean 1,197`: failing ones first, zeros left out.
 *
 * @example
 * ```ts
 * import { outcomeWords } from "./status.ts";
 * const words = outcomeWords({ clean: 1197, reset: 3, refused: 0 } as never);
 * console.assert(words.join("  ") === "reset 3  clean 1,197");
 * ```
 */
export function outcomeWords(outcomes: Readonly<Partial<Record<Outcome, number>>>): string[] {
  const seen = OUTCOMES.filter((o) => (outcomes[o] ?? 0) > 0);
  const ordered = [
    ...seen.filter((o) => FAILING_OUTCOMES.has(o)),
    ...seen.filter((o) => !FAILING_OUTCOMES.has(o)),
  ];
  return ordered.map((o) => `${o} ${count(outcomes[o] ?? 0)}`);
}

function timeLeftMs(
  progress: LoadProgress,
  planned: PlannedLoad,
  rate: number | null,
): number | null {
  const byTime = planned.durationMs === null
    ? null
    : Math.max(0, planned.durationMs - progress.elapsedMs);
  const bySessions = planned.sessions === null || rate === null || rate <= 0
    ? null
    : Math.max(0, ((planned.sessions - progress.completed) / rate) * 1000);
  if (byTime === null) return bySessions;
  return bySessions === null ? byTime : Math.min(byTime, bySessions);
}

/**
 * The line `check` prints as a case finishes: verdict, level, case, result.
 *
 * @example
 * ```ts
 * import { renderCaseLine } from "./status.ts";
 * const line = renderCaseLine({
 *   id: "close/no-reset", severity: "MUST", requirement: "", verdict: "PASS",
 *   expected: "", actual: "0 of 200 sessions ended with an RST", durationMs: 812,
 * });
 * console.assert(line === "PASS  MUST    close/no-reset  0 of 200 sessions ended with an RST (0.8s)");
 * ```
 */
export function renderCaseLine(result: CaseResult): string {
  const actual = result.verdict === "SKIP" && result.reason ? result.reason : result.actual;
  return `${result.verdict.padEnd(4)}  ${result.severity.padEnd(6)}  ${result.id}  ${actual} ` +
    `(${seconds(result.durationMs)})`;
}

/**
 * Draws progress in place on a terminal's stderr; on anything else every
 * method does nothing.
 *
 * @example
 * ```ts
 * import { StatusLine } from "./status.ts";
 * const status = new StatusLine(false);
 * status.show("burst 1/8 of 16");
 * status.clear();
 * ```
 */
export class StatusLine {
  /** Whether anything is drawn. */
  readonly enabled: boolean;
  readonly #write: (text: string) => void;
  #lastDraw = -Infinity;
  #history: { elapsedMs: number; completed: number }[] = [];

  /**
   * A status line on stderr, drawn when `enabled` (default: when stderr is
   * a terminal); `write` replaces stderr (tests).
   */
  constructor(
    enabled: boolean = Deno.stderr.isTerminal(),
    write: (text: string) => void = (text) => Deno.stderr.writeSync(encoder.encode(text)),
  ) {
    this.enabled = enabled;
    this.#write = write;
  }

  /** Replaces the line with `text`. */
  show(text: string): void {
    if (this.enabled) this.#write(`${ERASE}${text}`);
  }

  /** Erases the line, before a message or the report. */
  clear(): void {
    if (this.enabled) this.#write(ERASE);
  }

  /** Prints `text` as a line of its own above the status line (which is erased). */
  print(text: string): void {
    if (this.enabled) this.#write(`${ERASE}${text}\n`);
  }

  /**
   * The run's one progress line, `synfin: TEXT`, when stderr is not a
   * terminal (no live line was drawn: a CI log gets the final state once);
   * on a terminal nothing, since the live line showed it. Called before the
   * verdict line, so a log's last line is the verdict.
   */
  end(text: string): void {
    if (!this.enabled) this.#write(`synfin: ${text}\n`);
  }

  /**
   * A `LoadRunner` "progress" listener drawing {@link renderLoadStatus} at
   * most every {@link DRAW_EVERY_MS}, the rate over the last two seconds.
   */
  loadProgress(planned: PlannedLoad): (event: LoadProgressEvent) => void {
    return (event) => {
      const progress = event.progress;
      this.#history.push({ elapsedMs: progress.elapsedMs, completed: progress.completed });
      while (
        this.#history.length > 2 &&
        progress.elapsedMs - this.#history[1].elapsedMs >= RATE_WINDOW_MS
      ) this.#history.shift();
      if (progress.elapsedMs - this.#lastDraw < DRAW_EVERY_MS) return;
      this.#lastDraw = progress.elapsedMs;
      const first = this.#history[0];
      const span = progress.elapsedMs - first.elapsedMs;
      const rate = span >= DRAW_EVERY_MS
        ? ((progress.completed - first.completed) / span) * 1000
        : null;
      this.show(renderLoadStatus(progress, planned, rate));
    };
  }

  /** A load's progress with nothing planned known (the older listener). */
  readonly showLoadProgress = (event: LoadProgressEvent): void =>
    this.loadProgress({ durationMs: null, sessions: null })(event);
}
