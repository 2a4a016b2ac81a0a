/**
 * A bounded sample of session records for `--trace`: each worker keeps a
 * uniform reservoir sample (Vitter's algorithm R) of its own sessions, at
 * most its share of the run's limit, so a run of hours costs the same memory,
 * message size and file size as one of seconds, and says how many sessions
 * the sample stands for.
 *
 * @module
 */

import type { SessionKernelEvidence } from "./kernel_evidence.ts";
import type { Outcome, Phase } from "./outcome.ts";
import type { OperationError, SessionRecord } from "./session_record.ts";

/**
 * Sessions a trace keeps by default. A line is about 250 bytes of JSON
 * (350 with TCP_INFO evidence), so the file stays near 3 MB however long the
 * run, and each worker's `done` message carries its share of it.
 */
export const DEFAULT_TRACE_LIMIT = 10_000;

/** One session of a trace: what it measured, without the scenario's own data. */
export interface TraceRecord {
  /** When the connect call was made, epoch ms (fractional). */
  start: number | null;
  /** Our local port (`null` when the socket never got one). */
  localPort: number | null;
  /** How the session ended. */
  outcome: Outcome;
  /** Phase in which the outcome was decided. */
  phase: Phase;
  /** errno of the error that decided the outcome. */
  errno?: string;
  /** Connect call (or intended start) until established, us. */
  handshakeUs?: number;
  /** `--tls`: the TLS handshake, us. */
  tlsUs?: number;
  /** Our write until the first response byte, us. */
  firstByteUs?: number;
  /** Our FIN until the server's FIN, us. */
  closeUs?: number;
  /** Bytes received from the server. */
  bytesReceived: number;
  /** Every failed operation, when any failed. */
  errors?: OperationError[];
  /** TCP_INFO evidence (raw engine). */
  kernel?: SessionKernelEvidence;
}

/** A sample as plain data: the sessions it stands for and the ones kept. */
export interface EncodedTraceSample {
  /** Sessions offered to the sample (every session of the run's workers). */
  seen: number;
  /** The sessions kept, at most the limit. */
  records: TraceRecord[];
}

/**
 * The trace line of one session record.
 *
 * @example
 * ```ts
 * import { traceRecordOf } from "./trace_sample.ts";
 * const line = traceRecordOf({ outcome: "clean", phase: "close", handshakeUs: 40, bytesReceived: 0, errors: [] });
 * console.assert(line.start === null && line.handshakeUs === 40 && line.errors === undefined);
 * ```
 */
export function traceRecordOf(record: SessionRecord): TraceRecord {
  const line: TraceRecord = {
    start: record.connectCalledAt === undefined
      ? null
      : Math.round(record.connectCalledAt * 1000) / 1000,
    localPort: record.localPort ?? null,
    outcome: record.outcome,
    phase: record.phase,
    bytesReceived: record.bytesReceived,
  };
  if (record.errno !== undefined) line.errno = record.errno;
  for (const key of ["handshakeUs", "tlsUs", "firstByteUs", "closeUs"] as const) {
    const us = record[key];
    if (us !== undefined) line[key] = Math.round(us);
  }
  if (record.errors.length > 0) line.errors = record.errors.map((e) => ({ ...e }));
  if (record.kernel) line.kernel = { ...record.kernel };
  return line;
}

/**
 * The share of a trace limit that worker `index` of `workers` keeps: the
 * limit split to the unit, the first workers taking the remainder (so the
 * shares add up to the limit exactly); `undefined` for no trace.
 *
 * @example
 * ```ts
 * import { traceShare } from "./trace_sample.ts";
 * console.assert([0, 1, 2].map((i) => traceShare(10, i, 3)).join() === "4,3,3");
 * console.assert(traceShare(undefined, 0, 3) === undefined);
 * ```
 */
export function traceShare(
  limit: number | undefined,
  index: number,
  workers: number,
): number | undefined {
  if (limit === undefined) return undefined;
  const count = Math.max(1, workers);
  return Math.floor(limit / count) + (index < limit % count ? 1 : 0);
}

/**
 * A uniform sample of at most `limit` session records; merged samples keep
 * every part's records (each part a uniform sample of its own sessions).
 *
 * @example
 * ```ts
 * import { TraceSample } from "./trace_sample.ts";
 * const sample = new TraceSample(2);
 * for (let i = 0; i < 5; i++) {
 *   sample.offer({ outcome: "clean", phase: "close", bytesReceived: i, errors: [] });
 * }
 * console.assert(sample.seen === 5 && sample.records.length === 2);
 * ```
 */
export class TraceSample {
  readonly #limit: number;
  readonly #random: () => number;
  #seen = 0;
  #records: TraceRecord[] = [];

  /** A sample of at most `limit` records, drawn with `random` (default `Math.random`). */
  constructor(limit: number, random: () => number = Math.random) {
    this.#limit = Math.max(0, limit);
    this.#random = random;
  }

  /** Sessions offered (or merged) so far. */
  get seen(): number {
    return this.#seen;
  }

  /** The records kept, in connect order. */
  get records(): TraceRecord[] {
    return [...this.#records].sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
  }

  /** Offers one session: kept with probability `limit / seen` (algorithm R). */
  offer(record: SessionRecord): void {
    this.#seen++;
    if (this.#records.length < this.#limit) {
      this.#records.push(traceRecordOf(record));
      return;
    }
    const slot = Math.floor(this.#random() * this.#seen);
    if (slot < this.#limit) this.#records[slot] = traceRecordOf(record);
  }

  /** Adds another worker's sample: its sessions and its records. */
  merge(other: EncodedTraceSample): void {
    this.#seen += other.seen;
    this.#records.push(...other.records);
  }

  /** Plain data, for a worker's message; {@link merge} reads it back. */
  encode(): EncodedTraceSample {
    return { seen: this.#seen, records: this.records };
  }
}
