/**
 * Parses `ss -tan` output (and `-tano`, `-tane`, `-lnt`, with or without
 * the header): the table a remote host prints most easily, and the only one
 * that holds a listener's configured backlog.
 *
 * @module
 */

import { formatError, isBlank, parseDecimal, splitFields } from "./fields.ts";
import type { SocketRow, TcpState } from "./row.ts";

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

/**
 * Whether `word` is a state name as `ss` prints it (`ESTAB`, `TIME-WAIT`,
 * `UNCONN`...): how a headerless `ss` table is told from other text.
 *
 * @example
 * ```ts
 * import { isSsState } from "./ss.ts";
 * console.assert(isSsState("TIME-WAIT") && isSsState("UNCONN"));
 * console.assert(!isSsState("TIME_WAIT"));
 * ```
 */
export function isSsState(word: string): boolean {
  return SS_STATES.has(word);
}

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
 * import { parseSsTan } from "./ss.ts";
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
