/**
 * A Web Worker (its own isolate, so its own histogram mode) that records the
 * values it is sent into record-only histograms and posts back what a
 * generator would ship: the encodings, percentiles and whether the library's
 * reading API is really absent. For bucket_recorder_test.ts.
 *
 * @module
 */

import { recordOnlyHistograms } from "../../lib/engine/histogram_mode.ts";

recordOnlyHistograms();
const { LatencyHistogram } = await import("../../lib/engine/histogram.ts");

/** Percentiles the test compares. */
const PERCENTILES = [0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100];

/** The worker's side of its port, as far as used here. */
interface WorkerScope {
  onmessage: ((event: MessageEvent<number[]>) => void) | null;
  postMessage(message: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event) => {
  const histogram = new LatencyHistogram();
  for (const value of event.data) histogram.record(value);
  let statsError = "";
  try {
    histogram.stats();
  } catch (error) {
    statsError = (error as Error).message;
  }
  scope.postMessage({
    encoded: histogram.encode(),
    count: histogram.count,
    percentiles: PERCENTILES.map((p) => histogram.percentile(p)),
    statsError,
  });
};
