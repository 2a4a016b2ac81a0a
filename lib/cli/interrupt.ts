/**
 * Ctrl+C for a command: the first stops the run, which still reports; the
 * second exits at once.
 *
 * @module
 */

import { EXIT } from "../base/exit_codes.ts";

/**
 * Ctrl+C aborts the returned controller's signal, so the run stops and
 * still reports; a second Ctrl+C means "now" and exits at once, skipping the
 * drain and the report. Disposing it removes the handler.
 *
 * @example
 * ```ts
 * import { onCtrlC } from "./interrupt.ts";
 * using stop = onCtrlC();
 * console.assert(!stop.signal.aborted);
 * ```
 */
export function onCtrlC(): AbortController & Disposable {
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) Deno.exit(EXIT.interrupted);
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  return Object.assign(stop, {
    [Symbol.dispose]: () => Deno.removeSignalListener("SIGINT", onSigint),
  });
}
