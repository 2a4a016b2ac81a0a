/**
 * Hand-built session records and load results for the report tests: a
 * bimodal handshake distribution (990 at 30us, 10 at 1s, the shape of SYN
 * retransmits), plus resets and refusals.
 */
import type { LoadResult } from "../../lib/engine/runner.ts";
import type { SessionRecord } from "../../lib/engine/session.ts";
import { SessionTally } from "../../lib/engine/tally.ts";
import { parseTarget } from "../../lib/base/target.ts";

/** The fixed start time of {@link loadResult}. */
export const STARTED_AT = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

export function repeat(count: number, record: SessionRecord): SessionRecord[] {
  return Array.from({ length: count }, () => structuredClone(record));
}

/** 990 clean 30us handshakes, 10 clean 1s handshakes, 5 resets, 3 refused: 1,008 sessions. */
export function bimodalRecords(options: { payload?: boolean } = {}): SessionRecord[] {
  // With a payload, clean sessions also time a 150us first byte of a 4-byte reply.
  const reply = options.payload ? { firstByteUs: 150, bytesReceived: 4 } : { bytesReceived: 0 };
  return [
    ...repeat(990, {
      outcome: "clean",
      phase: "close",
      handshakeUs: 30,
      closeUs: 80,
      ...reply,
      errors: [],
    }),
    ...repeat(10, {
      outcome: "clean",
      phase: "close",
      handshakeUs: 1_000_000,
      closeUs: 80,
      ...reply,
      errors: [],
    }),
    ...repeat(5, {
      outcome: "reset",
      phase: "close",
      errno: "ECONNRESET",
      handshakeUs: 40,
      bytesReceived: 0,
      errors: [{ phase: "close", operation: "read", errno: "ECONNRESET" }],
    }),
    ...repeat(3, {
      outcome: "refused",
      phase: "handshake",
      errno: "ECONNREFUSED",
      bytesReceived: 0,
      errors: [{ phase: "handshake", operation: "connect", errno: "ECONNREFUSED" }],
    }),
  ];
}

export function tallyOf(records: SessionRecord[], sentData = false): SessionTally {
  const tally = new SessionTally();
  for (const record of records) tally.add(record, sentData);
  return tally;
}

export function loadResult(tally: SessionTally, overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    target: parseTarget("127.0.0.1:8080"),
    engine: "deno",
    startedAt: STARTED_AT,
    durationMs: 2000.4,
    tally,
    stoppedBy: "duration",
    shape: { concurrency: 100, sessions: null, durationMs: 2000, rate: null },
    session: { holdMs: 0, connectTimeoutMs: 3000, closeTimeoutMs: 2000 },
    maxInFlightPerEventLoop: [50, 50],
    tester: {
      rssBeforeBytes: 50_000_000,
      rssPeakBytes: 60_000_000,
      peakInFlight: 100,
      bytesPerSessionInFlight: 100_000,
      fdLimit: 20_000,
    },
    ...overrides,
  };
}
