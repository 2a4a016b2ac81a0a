/**
 * Reads the kernel's TCP counters (`/proc/net/netstat`, `/proc/net/snmp`) that
 * show accept-queue trouble: a listener whose accept queue is full drops SYNs
 * and handshake-completing ACKs silently, and the client only sees a slow or
 * half-open connect. These counters are the server-side evidence.
 *
 * The counters are per network namespace: they count every socket in it, so
 * a delta taken around a run includes other traffic in the same namespace.
 *
 * @module
 */

import { KernelCountersFormatError, KernelCountersUnavailableError } from "../base/errors.ts";

import { exitedWith, runCommand } from "../base/command_output.ts";
import type { CommandSpawnError } from "../base/errors.ts";

/**
 * TCP counters of one network namespace that reveal accept-queue and SYN-queue
 * trouble. Each is a running total since boot (or namespace creation); take a
 * {@linkcode diffKernelCounters} around a run.
 *
 * @example
 * ```ts
 * import type { KernelCounters } from "./kernel_counters.ts";
 * const overflowed = (c: KernelCounters) => c.listenOverflows > 0;
 * console.assert(typeof overflowed === "function");
 * ```
 */
export interface KernelCounters {
  /** TcpExt.ListenOverflows: SYNs or handshake-ending ACKs dropped: the accept queue was full. */
  listenOverflows: number;
  /** TcpExt.ListenDrops: SYNs or ACKs a listener dropped for any reason (overflows included). */
  listenDrops: number;
  /** TcpExt.TCPSynRetrans: SYN and SYN-ACK retransmissions, i.e. handshakes that lost a packet. */
  tcpSynRetrans: number;
  /** TcpExt.SyncookiesSent: SYN-ACKs sent with a cookie instead of a SYN-queue entry. */
  syncookiesSent: number;
  /** TcpExt.SyncookiesRecv: ACKs with a valid cookie, each a connection built from a cookie. */
  syncookiesRecv: number;
  /** TcpExt.SyncookiesFailed: ACKs whose cookie did not check out (dropped). */
  syncookiesFailed: number;
  /** TcpExt.TCPReqQFullDoCookies: SYNs answered with a cookie because the SYN queue was full. */
  tcpReqQFullDoCookies: number;
  /** TcpExt.TCPReqQFullDrop: SYNs dropped because the SYN queue was full and cookies were off. */
  tcpReqQFullDrop: number;
  /** Tcp.RetransSegs: all retransmitted segments; a rise with no overflow points elsewhere. */
  retransSegs: number;
  /**
   * TcpExt.TCPTimeWaitOverflow: closes that left no TIME_WAIT because the
   * kernel's table (`net.ipv4.tcp_max_tw_buckets`) was full; TIME_WAIT counts
   * taken meanwhile are low by that much.
   */
  tcpTimeWaitOverflow: number;
}

/**
 * The `/proc` key (`Prefix.Name`) of each {@linkcode KernelCounters} field.
 *
 * @example
 * ```ts
 * import { KERNEL_COUNTER_KEYS } from "./kernel_counters.ts";
 * console.assert(KERNEL_COUNTER_KEYS.listenOverflows === "TcpExt.ListenOverflows");
 * ```
 */
export const KERNEL_COUNTER_KEYS: Readonly<Record<keyof KernelCounters, string>> = Object.freeze({
  listenOverflows: "TcpExt.ListenOverflows",
  listenDrops: "TcpExt.ListenDrops",
  tcpSynRetrans: "TcpExt.TCPSynRetrans",
  syncookiesSent: "TcpExt.SyncookiesSent",
  syncookiesRecv: "TcpExt.SyncookiesRecv",
  syncookiesFailed: "TcpExt.SyncookiesFailed",
  tcpReqQFullDoCookies: "TcpExt.TCPReqQFullDoCookies",
  tcpReqQFullDrop: "TcpExt.TCPReqQFullDrop",
  retransSegs: "Tcp.RetransSegs",
  tcpTimeWaitOverflow: "TcpExt.TCPTimeWaitOverflow",
});

const FIELDS = Object.keys(KERNEL_COUNTER_KEYS) as (keyof KernelCounters)[];

// Optional minus: /proc/net/snmp prints Tcp.MaxConn as -1 (no limit).
const INTEGER = /^-?\d+$/;

function shorten(line: string): string {
  const shown = line.trim();
  return shown.length > 80 ? `${shown.slice(0, 80)}...` : shown;
}

/**
 * Parses `/proc/net/netstat` or `/proc/net/snmp` text, or both concatenated
 * (as `cat /proc/net/netstat /proc/net/snmp` prints them), into a map keyed
 * `Prefix.Name` (`TcpExt.ListenOverflows`, `Tcp.RetransSegs`).
 *
 * The kernel prints each group as two lines with the same prefix: the counter
 * names, then their values. A name seen twice keeps its last value.
 *
 * @throws {KernelCountersFormatError} when a header has no value line, the
 *   counts of names and values differ, or a value is not an integer.
 * @example
 * ```ts
 * import { parseNetstat } from "./kernel_counters.ts";
 * const counters = parseNetstat(
 *   "TcpExt: ListenOverflows ListenDrops\nTcpExt: 3 5\n" +
 *     "Tcp: RtoAlgorithm MaxConn RetransSegs\nTcp: 1 -1 43\n",
 * );
 * console.assert(counters.get("TcpExt.ListenOverflows") === 3);
 * console.assert(counters.get("Tcp.RetransSegs") === 43);
 * ```
 */
export function parseNetstat(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  const lines = text.split("\n").map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== "");
  for (let i = 0; i < lines.length; i += 2) {
    const header = lines[i];
    const values = lines[i + 1];
    const bad = (lineNumber: number, why: string, line: string): never => {
      throw new KernelCountersFormatError(
        `/proc/net/netstat line ${lineNumber}: ${why}: "${shorten(line)}"`,
      );
    };
    const names = header.line.trim().split(/\s+/);
    const prefix = names[0];
    if (!prefix.endsWith(":") || prefix.length < 2) {
      bad(header.number, 'expected a header such as "TcpExt: Name ..."', header.line);
    }
    if (values === undefined) bad(header.number, "header without a value line", header.line);
    const numbers = values.line.trim().split(/\s+/);
    if (numbers[0] !== prefix) {
      bad(values.number, `expected the values of "${prefix}"`, values.line);
    }
    if (numbers.length !== names.length) {
      bad(
        values.number,
        `${names.length - 1} names but ${numbers.length - 1} values for "${prefix}"`,
        values.line,
      );
    }
    const group = prefix.slice(0, -1);
    for (let k = 1; k < names.length; k++) {
      if (!INTEGER.test(numbers[k])) {
        bad(values.number, `value of ${group}.${names[k]} is not an integer`, values.line);
      }
      counters.set(`${group}.${names[k]}`, Number(numbers[k]));
    }
  }
  return counters;
}

/**
 * Picks the {@linkcode KernelCounters} out of a {@linkcode parseNetstat} map.
 *
 * @throws {KernelCountersFormatError} when a counter is missing (a kernel too
 *   old to have it, or only one of the two files was parsed).
 * @example
 * ```ts
 * import { kernelCountersFrom, KERNEL_COUNTER_KEYS } from "./kernel_counters.ts";
 * const map = new Map(Object.values(KERNEL_COUNTER_KEYS).map((key) => [key, 0]));
 * map.set("TcpExt.ListenOverflows", 7);
 * console.assert(kernelCountersFrom(map).listenOverflows === 7);
 * ```
 */
export function kernelCountersFrom(map: ReadonlyMap<string, number>): KernelCounters {
  const missing = FIELDS.map((field) => KERNEL_COUNTER_KEYS[field]).filter((key) => !map.has(key));
  if (missing.length > 0) {
    throw new KernelCountersFormatError(
      `Missing TCP counters ${missing.join(", ")}: parse both /proc/net/netstat and /proc/net/snmp`,
    );
  }
  const counters = {} as KernelCounters;
  for (const field of FIELDS) counters[field] = map.get(KERNEL_COUNTER_KEYS[field])!;
  return counters;
}

/**
 * Subtracts counters field by field: `after - before`, what happened between
 * two readings. Other traffic in the same network namespace is included.
 *
 * @example
 * ```ts
 * import { diffKernelCounters, type KernelCounters } from "./kernel_counters.ts";
 * const zero: KernelCounters = {
 *   listenOverflows: 0, listenDrops: 0, tcpSynRetrans: 0, syncookiesSent: 0,
 *   syncookiesRecv: 0, syncookiesFailed: 0, tcpReqQFullDoCookies: 0, tcpReqQFullDrop: 0,
 *   retransSegs: 0, tcpTimeWaitOverflow: 0,
 * };
 * const later = { ...zero, listenOverflows: 5, retransSegs: 9 };
 * console.assert(diffKernelCounters(zero, later).listenOverflows === 5);
 * ```
 */
export function diffKernelCounters(before: KernelCounters, after: KernelCounters): KernelCounters {
  const delta = {} as KernelCounters;
  for (const field of FIELDS) delta[field] = after[field] - before[field];
  return delta;
}

/**
 * Reads this network namespace's TCP counters now.
 *
 * Deno refuses to read `/proc/net/*` under `--allow-read` (only `--allow-all`
 * opens it), so a `cat` subprocess reads both files: the caller needs
 * `--allow-run=cat`. The counters cover every socket in the namespace, so
 * compare two readings and expect other traffic in the delta.
 *
 * @throws {KernelCountersUnavailableError} when `cat` cannot be run or fails.
 * @throws {KernelCountersFormatError} when the files are not in the expected
 *   format or lack a counter.
 * @example
 * ```ts
 * import { diffKernelCounters, readKernelCounters } from "./kernel_counters.ts";
 * const before = await readKernelCounters();
 * // ... run the load ...
 * const delta = diffKernelCounters(before, await readKernelCounters());
 * console.log(`accept-queue overflows: ${delta.listenOverflows}`);
 * ```
 */
export async function readKernelCounters(): Promise<KernelCounters> {
  const files = ["/proc/net/netstat", "/proc/net/snmp"];
  const output = await runCommand("cat", files).catch((error: CommandSpawnError) => {
    throw new KernelCountersUnavailableError(`Cannot read the TCP counters: ${error.message}`, {
      cause: error.cause,
    });
  });
  if (!output.success) {
    throw new KernelCountersUnavailableError(
      `Cannot read the TCP counters: ${
        exitedWith(`cat ${files.join(" ")}`, output)
      } (is /proc mounted?)`,
      { cause: new Error(output.stderrLine || `exit code ${output.code}`) },
    );
  }
  return kernelCountersFrom(parseNetstat(output.stdout));
}
