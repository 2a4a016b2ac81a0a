/**
 * Compares two backlog sweeps side by side (say backlog 128 against 4096):
 * each one's estimate, and per burst size the retransmits, failures and p99
 * handshake of both. Also reads a sweep saved by `backlog --json`, checking
 * its shape so a wrong file gets a message that names it.
 *
 * @module
 */

import { type BacklogEstimate, estimateBacklog } from "./estimate.ts";
import {
  BACKLOG_SWEEP_VERSION,
  type BacklogSweep,
  type BacklogSysctls,
  type BurstSummary,
} from "./sweep_result.ts";
import { burstFailures, isCleanBurst } from "./capacity.ts";
import { UsageError } from "../base/errors.ts";
import { describeError } from "../base/errno.ts";

/** One side of a comparison. */
export interface ComparedSweep {
  /** What the user named it by: the file, or the target. */
  label: string;
  /** `HOST:PORT` swept. */
  target: string;
  /** ISO time the sweep started. */
  startedAt: string;
  /** The listener's backlog (`ss` Send-Q), when known. */
  configuredBacklog: number | null;
  /** The queue sysctls of the server's host, when it was this host. */
  sysctls: BacklogSysctls | null;
  /** The sweep's estimate. */
  estimate: BacklogEstimate;
}

/** One sweep's burst of one size, reduced to what a comparison shows. */
export interface ComparedBurst {
  /** No retransmit, reset, timeout, half-open or other failure. */
  clean: boolean;
  /** Handshakes that completed on the first SYN. */
  firstSyn: number;
  /** Handshakes that needed a SYN retransmission. */
  synRetransmitted: number;
  /** Failure signs (see `burstFailures`). */
  failures: number;
  /** Half-open connections; `null` without a census. */
  halfOpen: number | null;
  /** p50 handshake, us. */
  p50Us: number;
  /** p99 handshake, us. */
  p99Us: number;
  /** Spread of the connect calls, ms. */
  spreadMs: number;
}

/** One burst size across both sweeps; `null` where a sweep did not run it. */
export interface ComparedSize {
  /** Burst size. */
  size: number;
  /** The first sweep's burst. */
  a: ComparedBurst | null;
  /** The second sweep's burst. */
  b: ComparedBurst | null;
}

/** Two sweeps side by side. */
export interface BacklogComparison {
  /** The first sweep. */
  a: ComparedSweep;
  /** The second sweep. */
  b: ComparedSweep;
  /** Every burst size either ran, ascending. */
  sizes: ComparedSize[];
}

/** Options of {@link compareBacklogSweeps}. */
export interface CompareBacklogOptions {
  /** Names for the two sides (file names); default: their targets. */
  labels?: [string, string];
}

/**
 * Puts two sweeps side by side. Interrupted bursts are left out; a size run
 * twice in one sweep (a hand-merged file) shows its first complete burst.
 *
 * @example
 * ```ts
 * import { compareBacklogSweeps } from "./compare.ts";
 * import { sweepBacklog } from "./sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using small = await startReferenceServer("slow-accept", { backlog: 2 });
 * await using large = await startReferenceServer("well-behaved");
 * const options = { sizes: [8], refine: false, holdMs: 200 };
 * const comparison = compareBacklogSweeps(
 *   await sweepBacklog(small.target, options),
 *   await sweepBacklog(large.target, options),
 * );
 * console.assert(comparison.sizes[0].a!.synRetransmitted > 0);
 * console.assert(comparison.sizes[0].b!.synRetransmitted === 0);
 * ```
 */
export function compareBacklogSweeps(
  a: BacklogSweep,
  b: BacklogSweep,
  options: CompareBacklogOptions = {},
): BacklogComparison {
  const [labelA, labelB] = options.labels ?? [a.target, b.target];
  const bySize = (sweep: BacklogSweep) => {
    const map = new Map<number, BurstSummary>();
    for (const burst of sweep.bursts) {
      if (!burst.interrupted && !map.has(burst.size)) map.set(burst.size, burst);
    }
    return map;
  };
  const burstsA = bySize(a);
  const burstsB = bySize(b);
  const sizes = [...new Set([...burstsA.keys(), ...burstsB.keys()])].sort((x, y) => x - y);
  return {
    a: side(a, labelA),
    b: side(b, labelB),
    sizes: sizes.map((size) => ({
      size,
      a: reduce(burstsA.get(size)),
      b: reduce(burstsB.get(size)),
    })),
  };
}

function side(sweep: BacklogSweep, label: string): ComparedSweep {
  return {
    label,
    target: sweep.target,
    startedAt: sweep.startedAt,
    configuredBacklog: sweep.configuredBacklog,
    sysctls: sweep.sysctls,
    estimate: estimateBacklog(sweep),
  };
}

function reduce(burst: BurstSummary | undefined): ComparedBurst | null {
  if (!burst) return null;
  return {
    clean: isCleanBurst(burst),
    firstSyn: burst.firstSyn,
    synRetransmitted: burst.synRetransmitted,
    failures: burstFailures(burst),
    halfOpen: burst.halfOpen,
    p50Us: burst.handshake.p50Us,
    p99Us: burst.handshake.p99Us,
    spreadMs: burst.spreadMs,
  };
}

/**
 * Reads a sweep saved by `backlog --json FILE`.
 *
 * @throws {UsageError} naming the file when it cannot be read, is not JSON,
 *   or is not a backlog sweep of this version.
 * @example
 * ```ts
 * import { loadBacklogSweep } from "./compare.ts";
 * import { sweepBacklog } from "./sweep.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("well-behaved");
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, JSON.stringify(await sweepBacklog(server.target, { sizes: [4] })));
 * const sweep = await loadBacklogSweep(path);
 * console.assert(sweep.bursts[0].size === 4);
 * await Deno.remove(path);
 * ```
 */
export async function loadBacklogSweep(path: string): Promise<BacklogSweep> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = describeError(error, "--allow-read");
    throw new UsageError(`Cannot read backlog sweep "${path}": ${why}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `Invalid backlog sweep "${path}": not JSON (${why}); save one with backlog --json FILE`,
      { cause: error },
    );
  }
  return parseBacklogSweep(value, path);
}

/** The counters the estimate reads; a saved sweep must have them. */
const COUNTERS_READ = [
  "listenOverflows",
  "listenDrops",
  "tcpSynRetrans",
  "syncookiesSent",
  "tcpReqQFullDrop",
] as const;

/**
 * Checks that `value` (parsed JSON) is a {@link BacklogSweep} of this
 * version, field by field, and returns it typed.
 *
 * @param source the file name, for the message.
 * @throws {UsageError} naming `source` and the first bad field.
 * @example
 * ```ts
 * import { parseBacklogSweep } from "./compare.ts";
 * try {
 *   parseBacklogSweep({ version: 1, target: "127.0.0.1:80", bursts: [] }, "a.json");
 * } catch (error) {
 *   console.assert(/"a.json": startedAt is missing/.test((error as Error).message));
 * }
 * ```
 */
export function parseBacklogSweep(value: unknown, source: string): BacklogSweep {
  const fail = (why: string): never => {
    throw new UsageError(
      `Invalid backlog sweep "${source}": ${why}; save one with backlog --json FILE`,
    );
  };
  const at = (path: string, v: unknown, want: string, ok: boolean) => {
    if (!ok) fail(v === undefined ? `${path} is missing` : `${path} is not ${want}`);
  };
  const object = (path: string, v: unknown): Record<string, unknown> => {
    at(
      path || "the file",
      v,
      "an object",
      typeof v === "object" && v !== null && !Array.isArray(v),
    );
    return v as Record<string, unknown>;
  };
  const number = (path: string, v: unknown) =>
    at(path, v, "a number", typeof v === "number" && Number.isFinite(v));
  const count = (path: string, v: unknown) =>
    at(path, v, "a whole number", typeof v === "number" && Number.isInteger(v) && v >= 0);
  const nullableNumber = (path: string, v: unknown) =>
    at(path, v, "a number or null", v === null || (typeof v === "number" && Number.isFinite(v)));
  const string = (path: string, v: unknown) => at(path, v, "a string", typeof v === "string");
  const boolean = (path: string, v: unknown) =>
    at(path, v, "true or false", typeof v === "boolean");

  const sweep = object("", value);
  if (sweep.bursts === undefined) {
    fail("bursts is missing: is it the JSON of backlog --json (not of a load)?");
  }
  number("version", sweep.version);
  if (sweep.version !== BACKLOG_SWEEP_VERSION) {
    fail(`version ${sweep.version}, but this synfin reads version ${BACKLOG_SWEEP_VERSION}`);
  }
  string("target", sweep.target);
  string("startedAt", sweep.startedAt);
  number("durationMs", sweep.durationMs);
  boolean("local", sweep.local);
  nullableNumber("configuredBacklog", sweep.configuredBacklog);
  at(
    "censusUnavailable",
    sweep.censusUnavailable,
    "a string or null",
    sweep.censusUnavailable === null || typeof sweep.censusUnavailable === "string",
  );
  string("stoppedBy", sweep.stoppedBy);
  boolean("interrupted", sweep.interrupted);
  if (sweep.sysctls !== null) {
    const sysctls = object("sysctls", sweep.sysctls);
    for (const key of ["somaxconn", "tcpMaxSynBacklog", "tcpSyncookies", "tcpAbortOnOverflow"]) {
      nullableNumber(`sysctls.${key}`, sysctls[key]);
    }
  }
  const settings = object("settings", sweep.settings);
  at("settings.sizes", settings.sizes, "an array", Array.isArray(settings.sizes));
  for (const key of ["holdMs", "connectTimeoutMs", "closeTimeoutMs", "drainMs", "pauseMs"]) {
    number(`settings.${key}`, settings[key]);
  }
  for (const key of ["maxRefineBursts", "stopAfterFailing", "synRetransmitAfterUs"]) {
    number(`settings.${key}`, settings[key]);
  }
  at("bursts", sweep.bursts, "an array", Array.isArray(sweep.bursts));
  (sweep.bursts as unknown[]).forEach((item, i) => {
    const path = `bursts[${i}]`;
    const burst = object(path, item);
    at(
      `${path}.size`,
      burst.size,
      "a whole number from 1",
      Number.isInteger(burst.size) && (burst.size as number) >= 1,
    );
    at(
      `${path}.stage`,
      burst.stage,
      `"sweep" or "refine"`,
      burst.stage === "sweep" || burst.stage === "refine",
    );
    number(`${path}.spreadMs`, burst.spreadMs);
    number(`${path}.durationMs`, burst.durationMs);
    for (
      const key of [
        "eventLoops",
        "firstSyn",
        "synRetransmitted",
        "resets",
        "connectTimeouts",
        "noFin",
        "otherFailures",
      ]
    ) count(`${path}.${key}`, burst[key]);
    for (const key of ["halfOpen", "acceptQueuePeak", "acceptQueueAtStart"]) {
      nullableNumber(`${path}.${key}`, burst[key]);
    }
    at(
      `${path}.settled`,
      burst.settled,
      "true, false or null",
      burst.settled === null || typeof burst.settled === "boolean",
    );
    boolean(`${path}.interrupted`, burst.interrupted);
    object(`${path}.outcomes`, burst.outcomes);
    if (burst.counters !== null) {
      const counters = object(`${path}.counters`, burst.counters);
      for (const key of COUNTERS_READ) count(`${path}.counters.${key}`, counters[key]);
    }
    const handshake = object(`${path}.handshake`, burst.handshake);
    for (const key of ["count", "minUs", "meanUs", "p50Us", "p90Us", "p99Us", "p999Us", "maxUs"]) {
      number(`${path}.handshake.${key}`, handshake[key]);
    }
    string(`${path}.handshake.histogram`, handshake.histogram);
    // Added to version 1 later: absent from older files, filled in below.
    if (burst.refused !== undefined) count(`${path}.refused`, burst.refused);
    if (burst.queueWaitMs !== undefined) nullableNumber(`${path}.queueWaitMs`, burst.queueWaitMs);
  });
  if (sweep.acceptQueueBaseline !== undefined) {
    nullableNumber("acceptQueueBaseline", sweep.acceptQueueBaseline);
  }
  for (const key of ["serverGone", "queueNotDrained"]) {
    if (sweep[key] !== undefined && sweep[key] !== null) object(key, sweep[key]);
  }
  return withLaterFields(value as BacklogSweep);
}

/** A version-1 sweep saved before the refusal count and the queue wait: what it implies. */
function withLaterFields(sweep: BacklogSweep): BacklogSweep {
  return {
    ...sweep,
    settings: { ...sweep.settings, queueWaitMs: sweep.settings.queueWaitMs ?? 0 },
    acceptQueueBaseline: sweep.acceptQueueBaseline ?? null,
    serverGone: sweep.serverGone ?? null,
    queueNotDrained: sweep.queueNotDrained ?? null,
    bursts: sweep.bursts.map((burst) => ({
      ...burst,
      refused: burst.refused ?? burst.outcomes.refused ?? 0,
      queueWaitMs: burst.queueWaitMs ?? null,
    })),
  };
}
