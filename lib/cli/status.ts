/**
 * The status line: progress redrawn in place on stderr, only when stderr is
 * a terminal (a CI log or a pipe gets the final report and nothing else).
 *
 * @module
 */

import type { LoadProgressEvent } from "../engine/runner.ts";

const encoder = new TextEncoder();

// Carriage return, then erase to the end of the line.
const ERASE = "\r\x1b[K";

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

  /** A status line on stderr, drawn when `enabled` (default: when stderr is a terminal). */
  constructor(enabled: boolean = Deno.stderr.isTerminal()) {
    this.enabled = enabled;
  }

  /** Replaces the line with `text`. */
  show(text: string): void {
    if (this.enabled) Deno.stderr.writeSync(encoder.encode(`${ERASE}${text}`));
  }

  /** Erases the line, before a message or the report. */
  clear(): void {
    if (this.enabled) Deno.stderr.writeSync(encoder.encode(ERASE));
  }

  /**
   * Shows a load's progress: elapsed time, sessions, failures, in flight.
   * A `LoadRunner` "progress" listener.
   */
  readonly showLoadProgress = (event: LoadProgressEvent): void => {
    const { completed, failed, inFlight, elapsedMs } = event.progress;
    this.show(
      `${(elapsedMs / 1000).toFixed(1)}s  ${completed.toLocaleString("en-US")} ` +
        `sessions  ${failed.toLocaleString("en-US")} failed  ${inFlight} in flight`,
    );
  };
}
