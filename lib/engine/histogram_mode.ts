/**
 * Whether this process's latency histograms are full `hdr-histogram-js`
 * histograms (the default) or record-only (`bucket_recorder.ts`), chosen
 * once per process (per isolate), before `histogram.ts` is loaded: that
 * module loads the library, or not, as it is evaluated. A generator process
 * whose share runs inline chooses record-only, which keeps the Node
 * compatibility layer (12 MB) out of it; the parent, which reads, merges and
 * encodes, keeps the default.
 *
 * @module
 */

let recordOnly = false;
let decided = false;

/**
 * Makes this process's histograms record-only: they record, count, give
 * percentiles and encode as plain buckets the parent turns back into
 * library histograms. Call it before anything imports `histogram.ts`
 * (import the rest dynamically after it); throws if that already happened.
 *
 * @example
 * ```ts
 * import { recordOnlyHistograms } from "./histogram_mode.ts";
 * import "./histogram.ts"; // evaluated first (static import): too late now
 * let threw = false;
 * try {
 *   recordOnlyHistograms();
 * } catch {
 *   threw = true;
 * }
 * console.assert(threw);
 * ```
 */
export function recordOnlyHistograms(): void {
  if (decided) {
    throw new Error("Histograms cannot become record-only: histogram.ts is already loaded");
  }
  recordOnly = true;
}

/**
 * Called by `histogram.ts` as it loads: whether to record only; fixes the
 * choice for this process.
 *
 * @example
 * ```ts
 * import { histogramsRecordOnly } from "./histogram_mode.ts";
 * console.assert(histogramsRecordOnly() === false);
 * ```
 */
export function histogramsRecordOnly(): boolean {
  decided = true;
  return recordOnly;
}
