/**
 * `--trace FILE`: one JSON line per session (JSONL), sampled beyond the
 * trace limit so a long run cannot fill the disk. The first line says what
 * the file stands for; each later line is one session.
 *
 * @module
 */

import type { LoadResult } from "../engine/load.ts";
import type { TraceRecord } from "../engine/trace_sample.ts";

/** Version of the trace format (its first line says it). */
export const TRACE_VERSION = 1;

/** The first line of a trace file. */
export interface TraceHeader {
  /** Always `"trace"`. */
  kind: "trace";
  /** {@link TRACE_VERSION}. */
  version: number;
  /** `HOST:PORT` as given. */
  target: string;
  /** The engine that ran the sessions. */
  engine: string;
  /** ISO time the run started. */
  startedAt: string;
  /** Sessions the run finished: the lines stand for these. */
  sessions: number;
  /** Session lines that follow. */
  lines: number;
  /** The trace limit. */
  limit: number;
  /** Whether the lines are a sample (more sessions than the limit). */
  sampled: boolean;
  /** How the sample was drawn, in words. */
  sampling: string;
}

/** A session line: its record, with the engine that ran it. */
export type TraceLine = { kind: "session"; engine: string } & TraceRecord;

/**
 * The trace of a load run with a `traceLimit`, or `undefined` without one.
 * A sample merged from generator processes that holds more than `limit`
 * lines (each generator keeps its share rounded up) is cut to `limit` at
 * random.
 *
 * @example
 * ```ts
 * import { renderTrace } from "./trace.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const result = await new LoadRunner(server.target, { sessions: 30, traceLimit: 10 }).run();
 * const lines = renderTrace(result, 10)!.trim().split("\n").map((line) => JSON.parse(line));
 * console.assert(lines[0].sessions === 30 && lines[0].sampled && lines.length === 11);
 * ```
 */
export function renderTrace(
  result: LoadResult,
  limit: number,
  random: () => number = Math.random,
): string | undefined {
  const trace = result.tally.trace;
  if (!trace) return undefined;
  let records = trace.records;
  while (records.length > limit) records.splice(Math.floor(random() * records.length), 1);
  records = records.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
  const header: TraceHeader = {
    kind: "trace",
    version: TRACE_VERSION,
    target: result.target.label,
    engine: result.engine,
    startedAt: new Date(result.startedAt).toISOString(),
    sessions: trace.seen,
    lines: records.length,
    limit,
    sampled: trace.seen > records.length,
    sampling: trace.seen > records.length
      ? "uniform reservoir sample per worker of its own sessions, each worker its share of the limit"
      : "every session",
  };
  const lines = records.map((record) =>
    JSON.stringify({ kind: "session", engine: result.engine, ...record } satisfies TraceLine)
  );
  return [JSON.stringify(header), ...lines].join("\n") + "\n";
}
