/** Hand-built socket census reports and outcome counts for the report and findings tests. */
import { type Outcome, OUTCOMES } from "../../lib/engine/outcome.ts";
import { CENSUS_STATES, type CensusState } from "../../lib/census/census.ts";
import type { SocketReport, StateTrack } from "../../lib/census/socket_report.ts";

/** Per-state tracks of a census. */
export type Tracks = Record<CensusState, StateTrack>;

/** Every state at baseline 0 and unchanged, but those given. */
export function tracks(changed: Partial<Record<CensusState, Partial<StateTrack>>> = {}): Tracks {
  return Object.fromEntries(CENSUS_STATES.map((state) => [
    state,
    { baseline: 0, peak: 0, end: 0, drained: 0, ...changed[state] },
  ])) as Tracks;
}

/** A local census report with nothing changed, but the fields given. */
export function report(fields: Partial<SocketReport> = {}): SocketReport {
  return {
    available: true,
    source: "local /proc/net/tcp",
    testerSource: "local /proc/net/tcp",
    intervalMs: 500,
    samples: 8,
    readErrors: 0,
    drainWindowMs: 3000,
    drainedAfterMs: 3000,
    server: tracks(),
    tester: tracks(),
    acceptQueue: { backlog: 4096, baseline: 0, peak: 0, end: 0, drained: 0 },
    halfOpen: 0,
    counters: null,
    series: [],
    ...fields,
  };
}

/** Every outcome at 0, but those given. */
export function outcomes(counts: Partial<Record<Outcome, number>> = {}): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, counts[o] ?? 0])) as Record<Outcome, number>;
}
