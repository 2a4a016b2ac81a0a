/**
 * Renders the socket census and the lingering-socket findings as text: the
 * per-state table (baseline, then peak, end and drained as deltas), the
 * accept queue, the namespace counters, and one explained line per finding.
 *
 * @module
 */

import { destinationLabel } from "../base/target.ts";
import { CENSUS_STATES } from "../census/census.ts";
import type { LingerFindings } from "../census/findings.ts";
import type { SocketReport, SocketsUnavailable, StateTrack } from "../census/socket_report.ts";
import type { KernelCounters } from "../census/kernel_counters.ts";

/**
 * What each finding means for the server author: the consequence and what
 * to change.
 */
export const FINDING_ADVICE = {
  leakedByHandler:
    "your handler does not close the socket after reading EOF (read() returning 0/null): " +
    "close it, or each such connection holds an fd and memory forever",
  neverAccepted:
    "connections still queued and never accepted: the accept loop is too slow or stopped " +
    "(not a handler leak); they closed in CLOSE_WAIT because we gave up waiting",
  serverTimeWait:
    "the server closes first, so it holds each connection's TIME_WAIT for about 60 s: " +
    "under churn that costs memory and, behind a proxy, ports; let the client close first " +
    "(wait for its FIN, then close)",
  testerTimeWait:
    "synfin's own TIME_WAIT, the normal cost of closing first as a client; near the port " +
    "range it slows synfin's connects, not the server",
  testerPorts:
    "synfin's limit, not the server's: one destination address and port has only this many " +
    "client ports, so connects slow down or fail with EADDRNOTAVAIL; widen " +
    "net.ipv4.ip_local_port_range, add --source addresses or destination addresses",
  halfOpen:
    "connects that succeeded on our side but that the server's kernel never completed: its " +
    "accept queue overflowed and dropped our final ACK (syncookies); raise the listen " +
    "backlog or accept faster",
  zeroWindow:
    "the server stopped reading: its receive window closed, so our bytes and the FIN behind " +
    "them were never sent; its socket is ESTABLISHED, not CLOSE_WAIT (a handler stuck before " +
    "reading to EOF)",
  finUnacked:
    "the server's host never acknowledged our FIN: the path or a firewall drops our segments, " +
    "or the host is gone; its socket is not in CLOSE_WAIT",
  oldCloseWait:
    "a connection from a reused client port resets the old CLOSE_WAIT on its 4-tuple (its SYN " +
    "draws a challenge ACK that we answer with an RST), or the server closed them at last; " +
    "not counted above",
} as const;

/** The `no-fin` outcome's meaning when the census cannot tell more. */
const NO_FIN_CLOSE_WAIT = "the server never answered our FIN: its socket sits in CLOSE_WAIT";

/**
 * What the `no-fin` outcome means in this run, from our sockets' state at
 * its end: the server's kernel acknowledged our FIN and its socket sits in
 * CLOSE_WAIT (our socket in FIN_WAIT2), or it never acknowledged the FIN
 * (FIN_WAIT1), with bytes still unsent behind a closed receive window or not.
 *
 * @example
 * ```ts
 * import { noFinMeaning } from "./socket_text.ts";
 * console.assert(noFinMeaning(undefined).includes("CLOSE_WAIT"));
 * const noFin = { sessions: 5, finAcked: 0, finUnacked: 5, unsentBytes: 5 };
 * console.assert(noFinMeaning({ noFin }).includes("receive window is closed"));
 * ```
 */
export function noFinMeaning(findings: Pick<LingerFindings, "noFin"> | undefined): string {
  const f = findings?.noFin;
  if (!f || f.finUnacked === 0) return NO_FIN_CLOSE_WAIT;
  const unacked = f.unsentBytes === f.finUnacked
    ? "its receive window is closed, our bytes and FIN unsent (our socket in FIN_WAIT1)"
    : f.unsentBytes === 0
    ? "its host or the path dropped it (our socket in FIN_WAIT1)"
    : `${f.unsentBytes} behind a closed receive window, the rest dropped (our socket in FIN_WAIT1)`;
  if (f.finAcked === 0) return `the server never acknowledged our FIN: ${unacked}`;
  return `the server never answered our FIN: ${f.finAcked} acknowledged it and sit in CLOSE_WAIT, ` +
    `${f.finUnacked} never acknowledged it (our socket in FIN_WAIT1)`;
}

/**
 * Renders the sockets section.
 *
 * @example
 * ```ts
 * import { renderSocketReport } from "./socket_text.ts";
 * import { runLoadWithCensus } from "../census/load.ts";
 * import { LoadRunner } from "../engine/runner.ts";
 * import { startReferenceServer } from "../testing/reference_servers.ts";
 * await using server = await startReferenceServer("leaky");
 * const runner = new LoadRunner(server.target, { sessions: 10, closeTimeoutMs: 200 });
 * const { summary } = await runLoadWithCensus(runner, { census: { drainMs: 300 } });
 * if (summary.sockets && summary.lingering) {
 *   const lines = renderSocketReport(summary.sockets, summary.lingering);
 *   console.assert(lines.some((line) => line.includes("CLOSE_WAIT")));
 * }
 * ```
 */
export function renderSocketReport(
  sockets: SocketReport | SocketsUnavailable,
  findings: LingerFindings,
): string[] {
  const lines: string[] = [];
  if (!sockets.available) {
    lines.push(`sockets: no census (${sockets.reason})`);
    lines.push("  only the client-side evidence (outcomes) is reported");
  } else {
    lines.push(...censusTable(sockets));
  }
  if (sockets.counters) lines.push(...countersLines(sockets.counters));
  lines.push("", "findings");
  lines.push(...findingLines(findings));
  return lines;
}

function censusTable(sockets: SocketReport): string[] {
  const lines = [
    `sockets of the server port (${sockets.source}; ${sockets.samples} censuses, every ` +
    `${sockets.intervalMs}ms, drain ${(sockets.drainedAfterMs / 1000).toFixed(1)}s of ` +
    `${(sockets.drainWindowMs / 1000).toFixed(1)}s${
      sockets.readErrors > 0 ? `, ${sockets.readErrors} reads failed` : ""
    })`,
  ];
  const rows: string[][] = [["  side", "state", "before", "peak", "end", "drained"]];
  const sides = [["server", sockets.server], ["tester", sockets.tester]] as const;
  for (const [side, tracks] of sides) {
    if (!tracks) continue;
    for (const state of CENSUS_STATES) {
      const t: StateTrack = tracks[state];
      if (t.peak === 0 && t.end === 0 && t.drained === 0) continue;
      rows.push([
        `  ${side}`,
        state,
        String(t.baseline),
        delta(t.peak),
        delta(t.end),
        delta(t.drained),
      ]);
    }
  }
  if (rows.length === 1) lines.push("  no socket of the port changed state count");
  else lines.push(...table(rows));
  if (!sockets.tester) lines.push("  tester side: not readable");
  const q = sockets.acceptQueue;
  if (q) {
    lines.push(
      `  accept queue: backlog ${q.backlog ?? "unknown"}, before ${q.baseline}, peak ${q.peak}, ` +
        `end ${q.end}, drained ${q.drained}`,
    );
  }
  return lines;
}

function countersLines(c: KernelCounters): string[] {
  const lines = [
    `  kernel counters (whole namespace): ListenOverflows ${delta(c.listenOverflows)}, ` +
    `ListenDrops ${delta(c.listenDrops)}, TCPSynRetrans ${delta(c.tcpSynRetrans)}, ` +
    `SyncookiesSent ${delta(c.syncookiesSent)}`,
  ];
  // The host's limit, not the server's doing: say so beside the counts it lowers.
  if (c.tcpTimeWaitOverflow > 0) {
    lines.push(
      `  TIME_WAIT TABLE FULL: ${c.tcpTimeWaitOverflow} closes left no TIME_WAIT ` +
        "(net.ipv4.tcp_max_tw_buckets reached on this host), so the TIME_WAIT counts above are low",
    );
  }
  return lines;
}

function findingLines(f: LingerFindings): string[] {
  const lines: string[] = [];
  const cw = f.closeWait;
  if (cw === null) {
    lines.push(
      "  CLOSE_WAIT: no census; the no-fin outcome (server never answered our FIN) is the " +
        "client-side sign of a leak",
    );
  } else if (cw.remaining === 0) {
    lines.push(
      `  CLOSE_WAIT: none left on the server after the drain` +
        (cw.noFinSessions > 0 ? ` (but ${cw.noFinSessions} sessions got no FIN in time)` : ""),
    );
  } else if (cw.leakedByHandler === 0) {
    lines.push(
      `  CLOSE_WAIT: ${cw.remaining} server sockets left in CLOSE_WAIT after the drain, none ` +
        "accepted (not a handler leak)",
      `    ${cw.neverAccepted} never accepted: ${FINDING_ADVICE.neverAccepted}`,
    );
  } else {
    lines.push(
      `  CLOSE_WAIT LEAK: ${cw.remaining} server sockets left in CLOSE_WAIT after the drain ` +
        `(${cw.noFinSessions} sessions got no FIN from the server)`,
    );
    if (cw.leakedByHandler > 0) {
      lines.push(`    ${cw.leakedByHandler} accepted: ${FINDING_ADVICE.leakedByHandler}`);
    }
    if (cw.neverAccepted > 0) {
      lines.push(`    ${cw.neverAccepted} never accepted: ${FINDING_ADVICE.neverAccepted}`);
    }
  }
  const old = f.oldCloseWait;
  if (old && old.gone > 0) {
    lines.push(
      `  old CLOSE_WAIT: ${old.gone} of the ${old.before} there before the run disappeared ` +
        `during it (reset by reused ports, or closed)`,
      `    ${FINDING_ADVICE.oldCloseWait}`,
    );
  }
  const noFin = f.noFin;
  if (noFin && noFin.finUnacked > 0) {
    const unsent = noFin.unsentBytes > 0 ? `, ${noFin.unsentBytes} with bytes still unsent` : "";
    lines.push(
      `  FIN NOT ACKNOWLEDGED: ${noFin.finUnacked} of our sockets sat in FIN_WAIT1 after the ` +
        `close timeout${unsent}`,
    );
    if (noFin.unsentBytes > 0) lines.push(`    ${FINDING_ADVICE.zeroWindow}`);
    if (noFin.unsentBytes < noFin.finUnacked) lines.push(`    ${FINDING_ADVICE.finUnacked}`);
  }
  const tw = f.serverTimeWait;
  const share = `${(tw.share * 100).toFixed(1)}%`;
  if (tw.serverClosedFirst === 0 && !tw.serverTimeWait) {
    lines.push("  TIME_WAIT on the server: none (the client closed first)");
  } else {
    lines.push(
      `  TIME_WAIT ON THE SERVER: the server closed first in ${tw.serverClosedFirst} sessions ` +
        `(${share})${
          tw.serverTimeWait === null ? "" : `, up to ${tw.serverTimeWait} server TIME_WAIT sockets`
        }`,
      `    ${FINDING_ADVICE.serverTimeWait}`,
    );
  }
  const tt = f.testerTimeWait;
  if (tt) {
    const range = tt.ephemeralPorts === null
      ? ""
      : ` of ${tt.ephemeralPorts} ephemeral ports (${((tt.shareOfPorts ?? 0) * 100).toFixed(1)}%)`;
    lines.push(`  TIME_WAIT on the tester: up to ${tt.peak}${range}`);
    if ((tt.shareOfPorts ?? 0) > 0.5) lines.push(`    ${FINDING_ADVICE.testerTimeWait}`);
  }
  const tp = f.testerPorts;
  if (tp?.nearRange && tp.shareOfPorts !== null) {
    lines.push(
      `  CLIENT PORTS: ${tp.peak.toLocaleString("en-US")} of ` +
        `${tp.ephemeralPorts!.toLocaleString("en-US")} in use toward ` +
        `${destinationLabel(tp.address, tp.port)} at ` +
        `${(tp.atMs / 1000).toFixed(1)} s (${(tp.shareOfPorts * 100).toFixed(1)}%)`,
      `    ${FINDING_ADVICE.testerPorts}`,
    );
  }
  const ho = f.halfOpen;
  if (ho && ho.count > 0) {
    lines.push(
      `  HALF-OPEN: ${ho.count} connections`,
      `    ${FINDING_ADVICE.halfOpen}`,
    );
  } else if (ho) {
    lines.push("  half-open connections: none seen");
  }
  return lines;
}

function delta(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length)));
  return rows.map((row) =>
    row.map((cell, col) => col <= 1 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))
      .join("  ").trimEnd()
  );
}
