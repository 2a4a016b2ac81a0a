/**
 * The captured socket tables and row helpers shared by the parser and
 * table tests (row, proc_net_tcp, ss, table).
 *
 * The fixtures proc_net_tcp.txt, proc_net_tcp6.txt, ss_tan.txt, ss_tanoe.txt
 * and ss_lnt.txt are real output, captured on a project machine (Linux 6.18,
 * iproute2 6.1) in a private network namespace (`unshare -n`, loopback only)
 * by tests/fixtures/capture_socket_states.py, so they hold exactly the
 * scripted sockets: server ports 20001..20010, one scenario per port.
 *
 * proc_net_tcp_handwritten.txt is NOT captured: the kernel never prints CLOSE
 * (07) or NEW_SYN_RECV (0C) in /proc/net/tcp (closed sockets are unhashed, and
 * request sockets are printed as 03 SYN_RECV). Its rows are real lines from
 * proc_net_tcp.txt with only the state code changed (07 on the 40788->20005
 * row, 0C on the SYN_RECV row), plus a copy of the 40788 row numbered 12345 to
 * cover the wider `sl` column of tables past 9999 rows.
 */

import assert from "node:assert/strict";
import type { SocketRow } from "../../lib/census/row.ts";

export const fixture = (name: string): Promise<string> =>
  Deno.readTextFile(new URL(`../fixtures/${name}`, import.meta.url));

export const [procTcp, procTcp6, procHandwritten, ssTan, ssTanoe, ssLnt]: string[] = await Promise
  .all([
    fixture("proc_net_tcp.txt"),
    fixture("proc_net_tcp6.txt"),
    fixture("proc_net_tcp_handwritten.txt"),
    fixture("ss_tan.txt"),
    fixture("ss_tanoe.txt"),
    fixture("ss_lnt.txt"),
  ]);

export const matches = (row: SocketRow, match: Partial<SocketRow>): boolean =>
  Object.entries(match).every(([key, value]) => row[key as keyof SocketRow] === value);

/** The one row matching every given field; fails on none or several. */
export function onlyRow(rows: SocketRow[], match: Partial<SocketRow>): SocketRow {
  const found = rows.filter((row) => matches(row, match));
  assert.equal(
    found.length,
    1,
    `expected one row matching ${JSON.stringify(match)}, got ${JSON.stringify(found)}`,
  );
  return found[0];
}

/** Identifies a connection the same way in both sources. */
export const connectionKey = (row: SocketRow): string =>
  `${row.state} ${row.localAddress}:${row.localPort} ${row.remoteAddress}:${row.remotePort}`;

export const byKey = (rows: SocketRow[]): Map<string, SocketRow> =>
  new Map(rows.map((row) => [connectionKey(row), row]));

/** A row in /proc/net/tcp's exact layout, as the kernel prints it. */
export function procRow(sl: number, local: string, remote: string, state: string): string {
  return `${String(sl).padStart(4)}: ${local} ${remote} ${state} 00000000:00000000 ` +
    "00:00000000 00000000     0        0 627841 1 00000000adc13274 20 0 0 10 -1";
}

/** Encodes 8 IPv6 groups as /proc/net/tcp6 prints them: 4 little-endian words. */
export function procHex6(groups: number[]): string {
  const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
  let hex = "";
  for (let w = 0; w < 4; w++) {
    for (let b = 3; b >= 0; b--) hex += bytes[w * 4 + b].toString(16).padStart(2, "0");
  }
  return hex.toUpperCase();
}

/** The header line of /proc/net/tcp. */
export const PROC_HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
