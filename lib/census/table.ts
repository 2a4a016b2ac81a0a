/**
 * Reads the kernel's TCP socket table, from `/proc/net/tcp` + `/proc/net/tcp6`
 * or from `ss -tan`, into one row shape. The kernel's own rows are the ground
 * truth for who holds TIME_WAIT, which side leaks CLOSE_WAIT and how full an
 * accept queue is, things a client cannot see through its socket API.
 *
 * @module
 */

import {
  type CommandSpawnError,
  SocketTableFormatError,
  SocketTableUnavailableError,
} from "../base/errors.ts";

import { type CommandText, exitedWith, runCommand } from "../base/command_output.ts";

/**
 * A TCP state as the kernel names it (`include/net/tcp_states.h`).
 *
 * @example
 * ```ts
 * import type { TcpState } from "./table.ts";
 * const leaksHandler = (state: TcpState) => state === "CLOSE_WAIT";
 * console.assert(!leaksHandler("TIME_WAIT"));
 * ```
 */
export type TcpState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "NEW_SYN_RECV";

/**
 * Every TCP state in kernel order: `TCP_STATES[code - 1]` is the state whose
 * `/proc/net/tcp` `st` code is `code` (01 ESTABLISHED .. 0C NEW_SYN_RECV).
 *
 * @example
 * ```ts
 * import { TCP_STATES } from "./table.ts";
 * console.assert(TCP_STATES[0x0a - 1] === "LISTEN");
 * console.assert(TCP_STATES.length === 12);
 * ```
 */
export const TCP_STATES: readonly TcpState[] = Object.freeze(
  [
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
    "NEW_SYN_RECV",
  ] as const,
);

/**
 * One TCP socket from the kernel's table.
 *
 * Addresses are plain text (`127.0.0.1`, `::1`); an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`, what a dual-stack listener's accepted sockets carry) is
 * given as its IPv4 form so that both ends of one connection match.
 *
 * @example
 * ```ts
 * import type { SocketRow } from "./table.ts";
 * const row: SocketRow = {
 *   localAddress: "127.0.0.1",
 *   localPort: 34366,
 *   remoteAddress: "127.0.0.1",
 *   remotePort: 20002,
 *   state: "TIME_WAIT",
 *   txQueue: 0,
 *   rxQueue: 0,
 *   timerActive: 3,
 *   retransmits: 0,
 *   inode: 0,
 * };
 * console.assert(row.localPort !== row.remotePort);
 * ```
 */
export interface SocketRow {
  /** Local address; `0.0.0.0` or `::` for a wildcard listener. */
  localAddress: string;
  /** Local port; equal to the server's port on server-side sockets. */
  localPort: number;
  /** Peer address; `0.0.0.0` or `::` on LISTEN rows. */
  remoteAddress: string;
  /** Peer port; 0 on LISTEN rows. */
  remotePort: number;
  /** Kernel TCP state. */
  state: TcpState;
  /**
   * Bytes sent but not yet acknowledged (a pending SYN or FIN counts 1).
   * On LISTEN rows: 0 from `/proc`, but the configured backlog when the row
   * came from `ss`, which reports the backlog in its Send-Q column.
   */
  txQueue: number;
  /**
   * Bytes received but not yet read by the application (a received FIN
   * counts 1). On LISTEN rows: connections waiting in the accept queue.
   */
  rxQueue: number;
  /**
   * Pending timer as `/proc/net/tcp` codes it: 0 none, 1 retransmit, 2
   * keepalive, 3 TIME_WAIT, 4 zero-window probe.
   */
  timerActive: number;
  /** Retransmit-timer expiries not yet recovered from (0 for most rows). */
  retransmits: number;
  /**
   * Socket inode, to map a row to a process via `/proc/PID/fd`. 0 when no
   * file holds the socket: TIME_WAIT, SYN_RECV, connections not yet accepted,
   * and `ss` rows captured without `-e`.
   */
  inode: number;
}

// Tables reach 10^4+ rows on a loaded host and are re-read during a run, so
// rows are split and decoded with char-code loops instead of a regex per row.

const SPACE = 32;
const TAB = 9;
const CR = 13;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === CR;
}

/** Splits on runs of blanks, stopping after `max` fields (the rest is unused). */
function splitFields(line: string, max: number): string[] {
  const fields: string[] = [];
  const end = line.length;
  let i = 0;
  while (i < end && fields.length < max) {
    while (i < end && isBlank(line.charCodeAt(i))) i++;
    if (i === end) break;
    const start = i;
    while (i < end && !isBlank(line.charCodeAt(i))) i++;
    fields.push(line.slice(start, i));
  }
  return fields;
}

/** Strict hex: NaN on any non-hex character, unlike `parseInt`. */
function parseHex(text: string, start: number, end: number): number {
  if (end <= start || end - start > 13) return NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    let digit: number;
    if (c >= 48 && c <= 57) digit = c - 48;
    else if (c >= 65 && c <= 70) digit = c - 55;
    else if (c >= 97 && c <= 102) digit = c - 87;
    else return NaN;
    value = value * 16 + digit;
  }
  return value;
}

/** Strict decimal: NaN on any non-digit character. */
function parseDecimal(text: string, start = 0, end = text.length): number {
  if (end <= start || end - start > 15) return NaN;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

function formatError(source: string, lineNumber: number, why: string, line: string): never {
  const shown = line.trim();
  throw new SocketTableFormatError(
    `${source} line ${lineNumber}: ${why}: "${
      shown.length > 80 ? `${shown.slice(0, 80)}...` : shown
    }"`,
  );
}

/** Renders 8 IPv6 groups the way `inet_ntop` (and so `ss`) does, per RFC 5952. */
function formatIpv6(groups: number[]): string {
  // The longest run of two or more zero groups becomes "::"; the first wins a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return groups.map((g) => g.toString(16)).join(":");
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(":");
  const tail = groups.slice(bestStart + bestLength).map((g) => g.toString(16)).join(":");
  return `${head}::${tail}`;
}

/**
 * Decodes a `/proc/net/tcp{,6}` address: 8 or 32 hex digits, printed by the
 * kernel as host-order 32-bit words, so each word's bytes come out reversed
 * on little-endian machines (127.0.0.1 is `0100007F`).
 */
function decodeProcAddress(hex: string): string | undefined {
  if (hex.length === 8) {
    const word = parseHex(hex, 0, 8);
    if (Number.isNaN(word)) return undefined;
    return `${word & 255}.${(word >>> 8) & 255}.${(word >>> 16) & 255}.${word >>> 24}`;
  }
  if (hex.length !== 32) return undefined;
  const bytes = new Array<number>(16);
  for (let w = 0; w < 4; w++) {
    const word = parseHex(hex, w * 8, w * 8 + 8);
    if (Number.isNaN(word)) return undefined;
    bytes[w * 4] = word & 255;
    bytes[w * 4 + 1] = (word >>> 8) & 255;
    bytes[w * 4 + 2] = (word >>> 16) & 255;
    bytes[w * 4 + 3] = word >>> 24;
  }
  const groups = new Array<number>(8);
  for (let g = 0; g < 8; g++) groups[g] = (bytes[g * 2] << 8) | bytes[g * 2 + 1];
  const mapped = groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
    groups[4] === 0 && groups[5] === 0xffff;
  // A dual-stack socket reached over IPv4 sits in tcp6 with a mapped address;
  // its peer is in tcp with the plain one, and they must compare equal.
  if (mapped) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  return formatIpv6(groups);
}

/**
 * Parses the text of `/proc/net/tcp`, `/proc/net/tcp6`, or several of them
 * concatenated (each with its `sl local_address ...` header), as
 * `cat /proc/net/tcp /proc/net/tcp6` prints them.
 *
 * Request sockets (a handshake the server has not completed) are printed by
 * the kernel with code 03 SYN_RECV, so NEW_SYN_RECV (0C) is decoded but rarely
 * seen. TIME_WAIT, SYN_RECV and not-yet-accepted rows have inode 0.
 *
 * @throws {SocketTableFormatError} when a row is not in the kernel's format.
 * @example
 * ```ts
 * import { parseProcNetTcp } from "./table.ts";
 * const text =
 *   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:4E21 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 627825 1 0000000000000000 100 0 0 10 0\n";
 * const [row] = parseProcNetTcp(text);
 * console.assert(row.localAddress === "127.0.0.1" && row.localPort === 20001);
 * console.assert(row.state === "LISTEN" && row.rxQueue === 1);
 * ```
 */
export function parseProcNetTcp(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  // Few distinct addresses recur across thousands of rows.
  const addresses = new Map<string, string | undefined>();
  const address = (hex: string) => {
    let decoded = addresses.get(hex);
    if (decoded === undefined && !addresses.has(hex)) {
      decoded = decodeProcAddress(hex);
      addresses.set(hex, decoded);
    }
    return decoded;
  };
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const fields = splitFields(line, 10);
    if (fields.length === 0 || fields[0] === "sl") continue;
    const bad: (why: string) => never = (why) => formatError("/proc/net/tcp", n + 1, why, line);
    if (fields.length < 10 || !fields[0].endsWith(":")) bad("expected a /proc/net/tcp row");
    const [, local, remote, st, queues, timer, retransmits, , , inode] = fields;

    const localColon = local.indexOf(":");
    const remoteColon = remote.indexOf(":");
    const localAddress = address(local.slice(0, localColon));
    const remoteAddress = address(remote.slice(0, remoteColon));
    const localPort = parseHex(local, localColon + 1, local.length);
    const remotePort = parseHex(remote, remoteColon + 1, remote.length);
    if (
      localAddress === undefined || remoteAddress === undefined || Number.isNaN(localPort) ||
      Number.isNaN(remotePort) || localPort > 65535 || remotePort > 65535
    ) {
      bad("bad address or port");
    }

    const code = st.length === 2 ? parseHex(st, 0, 2) : NaN;
    const state = TCP_STATES[code - 1];
    if (state === undefined) bad(`unknown state code "${st}"`);

    const queueColon = queues.indexOf(":");
    const txQueue = parseHex(queues, 0, queueColon);
    const rxQueue = parseHex(queues, queueColon + 1, queues.length);
    const timerActive = parseHex(timer, 0, timer.indexOf(":"));
    const retransmitCount = parseHex(retransmits, 0, retransmits.length);
    const inodeNumber = parseDecimal(inode);
    if (
      Number.isNaN(txQueue) || Number.isNaN(rxQueue) || Number.isNaN(timerActive) ||
      Number.isNaN(retransmitCount) || Number.isNaN(inodeNumber)
    ) {
      bad("bad queue, timer, retransmit or inode field");
    }

    rows.push({
      localAddress,
      localPort,
      remoteAddress,
      remotePort,
      state,
      txQueue,
      rxQueue,
      timerActive,
      retransmits: retransmitCount,
      inode: inodeNumber,
    });
  }
  return rows;
}

/** `ss` state names; null marks UNCONN, which is not a connection. */
const SS_STATES: ReadonlyMap<string, TcpState | null> = new Map<string, TcpState | null>([
  ["ESTAB", "ESTABLISHED"],
  ["SYN-SENT", "SYN_SENT"],
  ["SYN-RECV", "SYN_RECV"],
  ["FIN-WAIT-1", "FIN_WAIT1"],
  ["FIN-WAIT-2", "FIN_WAIT2"],
  ["TIME-WAIT", "TIME_WAIT"],
  ["CLOSE", "CLOSE"],
  ["CLOSE-WAIT", "CLOSE_WAIT"],
  ["LAST-ACK", "LAST_ACK"],
  ["LISTEN", "LISTEN"],
  ["CLOSING", "CLOSING"],
  // ss prints the kernel's TCP_CLOSE as UNCONN; /proc/net/tcp never lists
  // such sockets, so dropping them keeps the two sources comparable.
  ["UNCONN", null],
]);

/** `ss -o` timer names, mapped to the `/proc/net/tcp` `tr` codes. */
const SS_TIMERS: ReadonlyMap<string, number> = new Map([
  ["on", 1],
  ["keepalive", 2],
  ["timewait", 3],
  ["persist", 4],
]);

/** Splits `ss`'s `ADDR:PORT` (`[::1]:80`, `127.0.0.53%lo:53`, `*:*`). */
function splitSsEndpoint(text: string): [string, number] | undefined {
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const portText = text.slice(colon + 1);
  const port = portText === "*" ? 0 : parseDecimal(portText);
  if (Number.isNaN(port) || port > 65535) return undefined;
  let host = text.slice(0, colon);
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf("]");
    if (close === -1) return undefined;
    host = host.slice(1, close);
  }
  // ss appends the bound interface as %IFACE (after the brackets for IPv6);
  // the row is the same socket either way.
  const percent = host.indexOf("%");
  if (percent !== -1) host = host.slice(0, percent);
  // "*" is the IPv6 wildcard of a dual-stack socket (ss prints "[::]" only
  // when the socket is v6only); /proc shows both as "::".
  if (host === "*") return ["::", port];
  if (host.length > 7 && host.slice(0, 7).toLowerCase() === "::ffff:" && host.includes(".")) {
    host = host.slice(7);
  }
  if (host === "") return undefined;
  return [host, port];
}

/**
 * Parses `ss -tan` output (numeric, TCP only), with or without its header
 * (`-H`) and with optional trailing columns (`-p`, `-e`, `-o`).
 *
 * For LISTEN rows `ss` puts the accept-queue length in Recv-Q (-> `rxQueue`)
 * and the configured backlog in Send-Q, so `txQueue` holds the backlog there.
 * `inode` comes from `-e` (`ino:`), `timerActive` and `retransmits` from `-o`
 * (`timer:(on,200ms,1)`); without those options they are 0. UNCONN rows are
 * skipped.
 *
 * @throws {SocketTableFormatError} when a row is not in `ss -tan` format
 *   (host names instead of numbers: use `ss -n`).
 * @example
 * ```ts
 * import { parseSsTan } from "./table.ts";
 * const text = "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
 *   "LISTEN 0      7          127.0.0.1:20001      0.0.0.0:*\n" +
 *   "ESTAB  0      0     [::ffff:127.0.0.1]:20001 [::ffff:127.0.0.1]:41000\n";
 * const [listen, established] = parseSsTan(text);
 * console.assert(listen.state === "LISTEN" && listen.txQueue === 7);
 * console.assert(established.localAddress === "127.0.0.1");
 * ```
 */
export function parseSsTan(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const fields = splitFields(line, 5);
    if (fields.length === 0 || fields[0] === "State") continue;
    const bad: (why: string) => never = (why) => formatError("ss -tan", n + 1, why, line);
    const state = SS_STATES.get(fields[0]);
    if (state === undefined) bad(`unknown ss state "${fields[0]}"`);
    if (state === null) continue;
    if (fields.length < 5) bad("expected State Recv-Q Send-Q Local:Port Peer:Port");
    const recvQ = parseDecimal(fields[1]);
    const sendQ = parseDecimal(fields[2]);
    const local = splitSsEndpoint(fields[3]);
    const remote = splitSsEndpoint(fields[4]);
    if (Number.isNaN(recvQ) || Number.isNaN(sendQ)) bad("bad Recv-Q or Send-Q");
    if (local === undefined || remote === undefined) {
      bad("address or port is not numeric (use ss -n)");
    }

    let inode = 0;
    let timerActive = 0;
    let retransmits = 0;
    // Optional -e (ino:) and -o (timer:) columns follow the peer.
    const ino = line.indexOf(" ino:");
    if (ino !== -1) {
      const start = ino + 5;
      let end = start;
      while (end < line.length && !isBlank(line.charCodeAt(end))) end++;
      inode = parseDecimal(line, start, end);
      if (Number.isNaN(inode)) bad("bad ino: field");
    }
    const timer = line.indexOf(" timer:(");
    if (timer !== -1) {
      const close = line.indexOf(")", timer);
      const parts = line.slice(timer + 8, close === -1 ? line.length : close).split(",");
      timerActive = SS_TIMERS.get(parts[0]) ?? 0;
      // Only the retransmit timer's count is the kernel's retransmit counter
      // (what /proc shows); for the other timers ss reports probes sent.
      if (timerActive === 1) retransmits = parseDecimal(parts[2] ?? "") || 0;
    }

    rows.push({
      localAddress: local[0],
      localPort: local[1],
      remoteAddress: remote[0],
      remotePort: remote[1],
      state,
      txQueue: sendQ,
      rxQueue: recvQ,
      timerActive,
      retransmits,
      inode,
    });
  }
  return rows;
}

/**
 * Parses a socket table in either format: `/proc/net/tcp{,6}` text (one file
 * or several concatenated) or `ss -tan` output. Empty text gives no rows.
 *
 * @throws {SocketTableFormatError} when the text is in neither format.
 * @example
 * ```ts
 * import { parseSocketTable } from "./table.ts";
 * const rows = parseSocketTable("TIME-WAIT 0 0 127.0.0.1:34366 127.0.0.1:20002\n");
 * console.assert(rows[0].state === "TIME_WAIT" && rows[0].remotePort === 20002);
 * console.assert(parseSocketTable("").length === 0);
 * ```
 */
export function parseSocketTable(text: string): SocketRow[] {
  // The first non-blank line decides: a header, or a headerless first row.
  let start = 0;
  let first = "";
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    first = text.slice(start, end).trim();
    if (first !== "") break;
    start = end + 1;
  }
  if (first === "") return [];
  const [word, second] = splitFields(first, 2);
  if (word === "sl" && second === "local_address") return parseProcNetTcp(text);
  if (word === "State" && second === "Recv-Q") return parseSsTan(text);
  if (word.endsWith(":") && !Number.isNaN(parseDecimal(word, 0, word.length - 1))) {
    return parseProcNetTcp(text);
  }
  if (SS_STATES.has(word)) return parseSsTan(text);
  throw new SocketTableFormatError(
    `Unrecognised socket table: expected /proc/net/tcp or "ss -tan" output, got "${
      first.length > 60 ? `${first.slice(0, 60)}...` : first
    }"`,
  );
}

/**
 * Drops rows that repeat an earlier row's state, addresses, ports and inode,
 * keeping the first. `/proc/net/tcp` read while connections churn lists some
 * sockets twice (measured on a host churning through tens of thousands of
 * TIME_WAIT sockets: 15 of 30 reads of a 16,000-row table had repeats, about
 * 60 rows each), which would inflate per-state counts.
 *
 * @example
 * ```ts
 * import { parseSsTan, uniqueSocketRows } from "./table.ts";
 * const row = "ESTAB 0 0 127.0.0.1:41000 127.0.0.1:20001\n";
 * console.assert(uniqueSocketRows(parseSsTan(row + row)).length === 1);
 * ```
 */
export function uniqueSocketRows(rows: SocketRow[]): SocketRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key =
      `${row.state} ${row.localAddress} ${row.localPort} ${row.remoteAddress} ${row.remotePort} ${row.inode}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reads this host's TCP socket table (`/proc/net/tcp` and `/proc/net/tcp6`).
 *
 * Deno refuses to read `/proc/net/*` under `--allow-read` (only `--allow-all`
 * opens it), so the files are read by a `cat` subprocess: the caller needs
 * `--allow-run=cat`. A host without IPv6 has no tcp6 file; its rows are then
 * just the IPv4 ones.
 *
 * The result is not an atomic snapshot: the kernel serves the file in
 * page-sized reads and resumes each by position in a hash chain, so while
 * sockets come and go a socket can be listed twice (the repeats are removed
 * here, see {@linkcode uniqueSocketRows}) or not at all.
 *
 * @throws {SocketTableUnavailableError} when `cat` cannot be run or reads
 *   nothing.
 * @example
 * ```ts
 * import { readLocalSocketTable } from "./table.ts";
 * const rows = await readLocalSocketTable();
 * const timeWait = rows.filter((row) => row.state === "TIME_WAIT").length;
 * console.log(`${timeWait} sockets in TIME_WAIT`);
 * ```
 */
export async function readLocalSocketTable(): Promise<SocketRow[]> {
  const files = ["/proc/net/tcp", "/proc/net/tcp6"];
  const output = await runCommand("cat", files).catch((error: CommandSpawnError) => {
    throw new SocketTableUnavailableError(`Cannot read the socket table: ${error.message}`, {
      cause: error.cause,
    });
  });
  // cat exits 1 when tcp6 is missing but still prints tcp: keep that.
  if (output.stdout.trim() === "") {
    throw new SocketTableUnavailableError(
      `Cannot read the socket table: ${exitedWith(`cat ${files.join(" ")}`, output)}`,
      { cause: new Error(output.stderrLine || `exit code ${output.code}`) },
    );
  }
  return uniqueSocketRows(parseProcNetTcp(output.stdout));
}

/**
 * Returns the configured backlog of the LISTEN socket on `port` (any local
 * address), as `ss -lnt` reports it in Send-Q. `/proc/net/tcp` does not hold
 * the backlog, so this needs `ss` (and `--allow-run=ss`). With several
 * listeners on the port (IPv4 and IPv6), the first row's backlog is returned.
 *
 * Gives `undefined` when nothing listens on the port, `ss` is not installed,
 * or `ss` fails.
 *
 * @throws {RangeError} when `port` is not an integer in 1..65535.
 * @throws {SocketTableUnavailableError} when running `ss` is not permitted.
 * @example
 * ```ts
 * import { readListenBacklog } from "./table.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 7 });
 * console.assert((await readListenBacklog(listener.addr.port)) === 7);
 * listener.close();
 * ```
 */
export async function readListenBacklog(port: number): Promise<number | undefined> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port ${port}: use an integer in 1..65535`);
  }
  let output: CommandText;
  try {
    output = await runCommand("ss", ["-lntH", "sport", "=", `:${port}`]);
  } catch (error) {
    const cause = (error as CommandSpawnError).cause;
    if (cause instanceof Deno.errors.NotFound) return undefined;
    throw new SocketTableUnavailableError(
      `Cannot read the listen backlog: ${(error as Error).message}`,
      { cause },
    );
  }
  if (!output.success) return undefined;
  const rows = parseSsTan(output.stdout);
  // The filter already selects the port; checking again guards against an ss
  // that ignores filter expressions.
  return rows.find((row) => row.state === "LISTEN" && row.localPort === port)?.txQueue;
}
