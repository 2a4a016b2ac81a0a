/**
 * Tests for lib/census/census.ts.
 *
 * The captured fixtures (see tests/socket_table_test.ts) hold one scripted
 * scenario per server port 20001..20010. The expected counts below were read
 * off proc_net_tcp.txt and proc_net_tcp6.txt by eye, row by row; the same
 * sockets appear in ss_tan.txt, which must give the same census.
 */

import assert from "node:assert/strict";
import {
  CENSUS_STATES,
  type CensusState,
  emptyStateCounts,
  type StateCounts,
  takeCensus,
} from "../../lib/census/census.ts";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import type { SocketRow } from "../../lib/census/row.ts";
import { parseSsTan } from "../../lib/census/ss.ts";

const fixture = (name: string): Promise<string> =>
  Deno.readTextFile(new URL(`../fixtures/${name}`, import.meta.url));

const [procTcp, procTcp6, procHandwritten, ssTan] = await Promise.all([
  fixture("proc_net_tcp.txt"),
  fixture("proc_net_tcp6.txt"),
  fixture("proc_net_tcp_handwritten.txt"),
  fixture("ss_tan.txt"),
]);

const PORT = 8080;

/** A socket row; by default a tester-side socket of PORT. */
function row(fields: Partial<SocketRow> & Pick<SocketRow, "state">): SocketRow {
  return {
    localAddress: "127.0.0.1",
    localPort: 40000,
    remoteAddress: "127.0.0.1",
    remotePort: PORT,
    txQueue: 0,
    rxQueue: 0,
    timerActive: 0,
    retransmits: 0,
    inode: 0,
    ...fields,
  };
}

/** A server-side socket of PORT, peer at `peerPort`. */
function serverRow(
  state: SocketRow["state"],
  peerPort: number,
  fields: Partial<SocketRow> = {},
): SocketRow {
  return row({ state, localPort: PORT, remotePort: peerPort, ...fields });
}

/** A LISTEN row of `port`. */
function listenRow(port: number, fields: Partial<SocketRow> = {}): SocketRow {
  return row({
    state: "LISTEN",
    localPort: port,
    remoteAddress: "0.0.0.0",
    remotePort: 0,
    ...fields,
  });
}

/** The states whose count is not 0, for compact comparisons. */
function nonZero(counts: StateCounts | undefined): Partial<StateCounts> {
  assert.ok(counts, "counts are present");
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

Deno.test("CENSUS_STATES and emptyStateCounts", async (t) => {
  await t.step("CENSUS_STATES are the 9 connection states, without LISTEN and CLOSE", () => {
    assert.deepEqual([...CENSUS_STATES], [
      "SYN_SENT",
      "SYN_RECV",
      "ESTABLISHED",
      "FIN_WAIT1",
      "FIN_WAIT2",
      "CLOSE_WAIT",
      "LAST_ACK",
      "CLOSING",
      "TIME_WAIT",
    ]);
  });

  await t.step("emptyStateCounts has a 0 for each census state, and nothing else", () => {
    const counts = emptyStateCounts();
    assert.deepEqual(Object.keys(counts), [...CENSUS_STATES]);
    assert.ok(Object.values(counts).every((n) => n === 0));
  });

  await t.step("each call gives a new object", () => {
    const a = emptyStateCounts();
    const b = emptyStateCounts();
    a.CLOSE_WAIT = 5;
    assert.equal(b.CLOSE_WAIT, 0);
    assert.notEqual(a, b);
  });
});

Deno.test("takeCensus on hand-made rows", async (t) => {
  await t.step("splits server side (local port) from tester side (remote port)", () => {
    const rows = [
      serverRow("ESTABLISHED", 40001),
      serverRow("ESTABLISHED", 40002),
      serverRow("CLOSE_WAIT", 40003, { rxQueue: 1 }),
      serverRow("TIME_WAIT", 40004, { timerActive: 3 }),
      row({ state: "ESTABLISHED", localPort: 40001 }),
      row({ state: "ESTABLISHED", localPort: 40002 }),
      row({ state: "FIN_WAIT2", localPort: 40003 }),
      row({ state: "SYN_SENT", localPort: 40005, txQueue: 1, timerActive: 1 }),
      row({ state: "TIME_WAIT", localPort: 40006 }),
      row({ state: "TIME_WAIT", localPort: 40007 }),
      // Other ports: neither side.
      row({ state: "ESTABLISHED", localPort: 9090, remotePort: 40010 }),
      row({ state: "CLOSE_WAIT", localPort: 40010, remotePort: 9090 }),
      row({ state: "TIME_WAIT", localPort: 40011, remotePort: 8081 }),
    ];
    const census = takeCensus(rows, PORT);
    assert.deepEqual(nonZero(census.server), { ESTABLISHED: 2, CLOSE_WAIT: 1, TIME_WAIT: 1 });
    assert.deepEqual(nonZero(census.tester), {
      SYN_SENT: 1,
      ESTABLISHED: 2,
      FIN_WAIT2: 1,
      TIME_WAIT: 2,
    });
    assert.equal(census.listen, undefined, "no LISTEN row");
    assert.deepEqual(census.unackedPorts, []);
    // All six of ours between one address pair.
    assert.deepEqual(census.testerBusiest, {
      source: "127.0.0.1",
      address: "127.0.0.1",
      sockets: 6,
    });
  });

  await t.step("testerBusiest: the address pair with the most of our sockets", () => {
    const to = (remoteAddress: string, localPort: number) =>
      row({ state: "TIME_WAIT", remoteAddress, localPort });
    const census = takeCensus([
      to("127.0.0.2", 40001),
      to("127.0.0.3", 40001),
      to("127.0.0.3", 40002),
      row({ state: "ESTABLISHED", localAddress: "127.0.0.9", remoteAddress: "127.0.0.2" }),
    ], PORT);
    assert.deepEqual(census.testerBusiest, {
      source: "127.0.0.1",
      address: "127.0.0.3",
      sockets: 2,
    });
    assert.equal(takeCensus([serverRow("ESTABLISHED", 40001)], PORT).testerBusiest, undefined);
  });

  await t.step("counts every census state on each side", () => {
    const rows = CENSUS_STATES.flatMap((state, i) => [
      serverRow(state, 41000 + i),
      row({ state, localPort: 42000 + i }),
    ]);
    const census = takeCensus(rows, PORT);
    for (const state of CENSUS_STATES) {
      assert.equal(census.server[state], 1, `server ${state}`);
      assert.equal(census.tester?.[state], 1, `tester ${state}`);
    }
  });

  await t.step("LISTEN: sums the accept queues of every listener on the port", () => {
    const rows = [
      listenRow(PORT, { rxQueue: 3 }),
      listenRow(PORT, { localAddress: "::", remoteAddress: "::", rxQueue: 2 }),
      listenRow(9090, { rxQueue: 50 }),
      serverRow("ESTABLISHED", 40001),
    ];
    const census = takeCensus(rows, PORT);
    assert.deepEqual(census.listen, { acceptQueue: 5 });
    assert.ok(!("backlog" in census.listen!), "/proc rows (txQueue 0) give no backlog");
    // LISTEN is not a census state: it never lands in the counts.
    assert.deepEqual(nonZero(census.server), { ESTABLISHED: 1 });
    assert.ok(!("LISTEN" in census.server));
  });

  await t.step("LISTEN: ss rows carry the backlog in Send-Q; the largest wins", () => {
    const rows = [
      listenRow(PORT, { rxQueue: 1, txQueue: 128 }),
      listenRow(PORT, { localAddress: "::", rxQueue: 0, txQueue: 511 }),
      listenRow(PORT, { localAddress: "::1", rxQueue: 0, txQueue: 64 }),
    ];
    assert.deepEqual(takeCensus(rows, PORT).listen, { acceptQueue: 1, backlog: 511 });
    // A lone listener with an empty queue is still seen.
    assert.deepEqual(takeCensus([listenRow(PORT)], PORT).listen, { acceptQueue: 0 });
  });

  await t.step("NEW_SYN_RECV is counted as SYN_RECV; CLOSE is not counted", () => {
    const rows = [
      serverRow("SYN_RECV", 40001, { timerActive: 1 }),
      serverRow("NEW_SYN_RECV", 40002, { timerActive: 1 }),
      serverRow("NEW_SYN_RECV", 40003, { timerActive: 1 }),
      serverRow("CLOSE", 40004),
      row({ state: "CLOSE", localPort: 40005 }),
    ];
    const census = takeCensus(rows, PORT);
    assert.deepEqual(nonZero(census.server), { SYN_RECV: 3 });
    assert.deepEqual(nonZero(census.tester), {});
  });

  await t.step(
    "unacked: ESTABLISHED tester rows with tx_queue > 0 and the retransmit timer",
    () => {
      const rows = [
        // Counted: established, bytes unacknowledged, retransmit timer (code 1) running.
        row({ state: "ESTABLISHED", localPort: 40001, txQueue: 1, timerActive: 1, retransmits: 3 }),
        row({ state: "ESTABLISHED", localPort: 40002, txQueue: 5, timerActive: 1, retransmits: 0 }),
        // Not counted: one condition missing each.
        row({ state: "ESTABLISHED", localPort: 40003, txQueue: 0, timerActive: 1, retransmits: 3 }),
        row({ state: "ESTABLISHED", localPort: 40004, txQueue: 1, timerActive: 0, retransmits: 3 }),
        row({ state: "ESTABLISHED", localPort: 40005, txQueue: 1, timerActive: 2, retransmits: 3 }),
        row({ state: "ESTABLISHED", localPort: 40006, txQueue: 1, timerActive: 4, retransmits: 3 }),
        row({ state: "FIN_WAIT1", localPort: 40007, txQueue: 1, timerActive: 1, retransmits: 3 }),
        row({ state: "SYN_SENT", localPort: 40008, txQueue: 1, timerActive: 1, retransmits: 3 }),
        // A server-side socket with the same queue is not ours.
        serverRow("ESTABLISHED", 40009, { txQueue: 1, timerActive: 1, retransmits: 3 }),
        // A client of another port.
        row({
          state: "ESTABLISHED",
          localPort: 40010,
          remotePort: 9090,
          txQueue: 1,
          timerActive: 1,
          retransmits: 3,
        }),
      ];
      const census = takeCensus(rows, PORT);
      assert.deepEqual(census.unackedPorts, [40001, 40002]);
      assert.equal(census.tester?.ESTABLISHED, 6);
      assert.equal(census.server.ESTABLISHED, 1);
    },
  );

  await t.step("testerRows: the tester side comes only from the tester's own table", () => {
    const serverTable = [
      serverRow("CLOSE_WAIT", 40001),
      serverRow("CLOSE_WAIT", 40002),
      listenRow(PORT, { rxQueue: 4 }),
      // A client on the server's host: not the tester when testerRows is given.
      row({ state: "FIN_WAIT2", localPort: 50001 }),
    ];
    const testerTable = [
      row({ state: "FIN_WAIT2", localPort: 40001 }),
      row({ state: "FIN_WAIT2", localPort: 40002 }),
      row({ state: "ESTABLISHED", localPort: 40003, txQueue: 1, timerActive: 1, retransmits: 2 }),
      // A server of the same port on the tester's host is not the server.
      serverRow("ESTABLISHED", 40099),
      listenRow(PORT, { rxQueue: 7 }),
    ];
    const census = takeCensus(serverTable, PORT, { testerRows: testerTable });
    assert.deepEqual(nonZero(census.server), { CLOSE_WAIT: 2 });
    assert.deepEqual(census.listen, { acceptQueue: 4 });
    assert.deepEqual(nonZero(census.tester), { FIN_WAIT2: 2, ESTABLISHED: 1 });
    assert.deepEqual(census.unackedPorts, [40003]);
    // An empty tester table gives zero tester counts, not the server table's.
    const empty = takeCensus(serverTable, PORT, { testerRows: [] });
    assert.deepEqual(nonZero(empty.tester), {});
  });

  await t.step("a socket connected to itself (local == remote port) is server side only", () => {
    const census = takeCensus([row({ state: "ESTABLISHED", localPort: PORT })], PORT);
    assert.deepEqual(nonZero(census.server), { ESTABLISHED: 1 });
    assert.deepEqual(nonZero(census.tester), {});
  });

  await t.step("at: the given time stamp, else performance.now()", () => {
    assert.equal(takeCensus([], PORT, { at: 1234.5 }).at, 1234.5);
    const before = performance.now();
    const census = takeCensus([], PORT);
    const after = performance.now();
    assert.ok(census.at >= before && census.at <= after, `${before} <= ${census.at} <= ${after}`);
    assert.deepEqual(census.server, emptyStateCounts());
    assert.deepEqual(census.tester, emptyStateCounts());
    assert.deepEqual(census.unackedPorts, []);
  });
});

/** One fixture port's census, as read by eye from the captured files. */
interface Expected {
  server: Partial<StateCounts>;
  tester: Partial<StateCounts>;
  acceptQueue: number;
  /** Send-Q of the port's LISTEN row in ss_tan.txt. */
  ssBacklog: number | undefined;
}

const CAPTURED: Record<number, Expected> = {
  // Accepted connection + one never accepted; both client ends ESTABLISHED.
  20001: { server: { ESTABLISHED: 2 }, tester: { ESTABLISHED: 2 }, acceptQueue: 1, ssBacklog: 5 },
  20002: { server: {}, tester: { TIME_WAIT: 1 }, acceptQueue: 0, ssBacklog: 5 },
  20003: { server: { CLOSE_WAIT: 1 }, tester: { FIN_WAIT2: 1 }, acceptQueue: 0, ssBacklog: 5 },
  // IPv6 (::1): one ESTABLISHED pair and the client's TIME_WAIT, all in tcp6.
  20004: {
    server: { ESTABLISHED: 1 },
    tester: { ESTABLISHED: 1, TIME_WAIT: 1 },
    acceptQueue: 0,
    ssBacklog: 5,
  },
  // Dual-stack listener: the server row is in tcp6 (mapped), the client's in tcp.
  20005: { server: { ESTABLISHED: 1 }, tester: { ESTABLISHED: 1 }, acceptQueue: 0, ssBacklog: 9 },
  // Backlog 0: ss shows Send-Q 0, which reads as "unknown" (see below).
  20006: {
    server: { ESTABLISHED: 1 },
    tester: { ESTABLISHED: 1, SYN_SENT: 1 },
    acceptQueue: 1,
    ssBacklog: undefined,
  },
  20007: { server: { SYN_RECV: 1 }, tester: { ESTABLISHED: 1 }, acceptQueue: 0, ssBacklog: 5 },
  20008: { server: { ESTABLISHED: 1 }, tester: { FIN_WAIT1: 1 }, acceptQueue: 0, ssBacklog: 5 },
  20009: { server: { LAST_ACK: 1 }, tester: { FIN_WAIT2: 1 }, acceptQueue: 0, ssBacklog: 5 },
  20010: { server: { FIN_WAIT2: 1 }, tester: { CLOSING: 1 }, acceptQueue: 0, ssBacklog: 5 },
};

/**
 * Counts a /proc/net/tcp text without the library's parser, the way
 * `awk '$4 == "08" && $2 ~ /:4E23$/'` would: split each row on blanks, take
 * the port after the last colon of the address fields, and map the state
 * code by hand.
 */
function awkCount(
  text: string,
  port: number,
): { server: Partial<StateCounts>; tester: Partial<StateCounts> } {
  const codes: Record<string, CensusState | "LISTEN"> = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
  };
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const server: Partial<StateCounts> = {};
  const tester: Partial<StateCounts> = {};
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(f[0])) continue;
    const state = codes[f[3]];
    assert.ok(state !== undefined, `state code ${f[3]}`);
    if (state === "LISTEN") continue;
    const local = f[1].slice(f[1].lastIndexOf(":") + 1);
    const remote = f[2].slice(f[2].lastIndexOf(":") + 1);
    if (local === hexPort) server[state] = (server[state] ?? 0) + 1;
    else if (remote === hexPort) tester[state] = (tester[state] ?? 0) + 1;
  }
  return { server, tester };
}

Deno.test("takeCensus on the captured tables", async (t) => {
  const procRows = [...parseProcNetTcp(procTcp), ...parseProcNetTcp(procTcp6)];
  const ssRows = parseSsTan(ssTan);

  await t.step("/proc/net/tcp{,6}: each scenario port's counts and accept queue", () => {
    for (const [portText, expected] of Object.entries(CAPTURED)) {
      const port = Number(portText);
      const census = takeCensus(procRows, port);
      assert.deepEqual(nonZero(census.server), expected.server, `server ${port}`);
      assert.deepEqual(nonZero(census.tester), expected.tester, `tester ${port}`);
      // /proc has no backlog column: never a backlog from these rows.
      assert.deepEqual(census.listen, { acceptQueue: expected.acceptQueue }, `listen ${port}`);
      assert.deepEqual(census.unackedPorts, [], `unacked ${port}`);
    }
  });

  await t.step("the by-eye table agrees with an awk-style count of the raw text", () => {
    const raw = `${procTcp}\n${procTcp6}`;
    for (const [portText, expected] of Object.entries(CAPTURED)) {
      const counted = awkCount(raw, Number(portText));
      assert.deepEqual(counted.server, expected.server, `server ${portText}`);
      assert.deepEqual(counted.tester, expected.tester, `tester ${portText}`);
    }
  });

  await t.step("every captured row is a LISTEN row or on exactly one side of one port", () => {
    const listeners = procRows.filter((r) => r.state === "LISTEN").length;
    let counted = 0;
    for (const portText of Object.keys(CAPTURED)) {
      const census = takeCensus(procRows, Number(portText));
      for (const state of CENSUS_STATES) {
        counted += census.server[state] + (census.tester?.[state] ?? 0);
      }
    }
    assert.equal(listeners, 10);
    assert.equal(counted, 23); // 10 server-side + 13 tester-side sockets
    assert.equal(listeners + counted, procRows.length); // 33
  });

  await t.step("ss -tan: the same counts, plus the backlog from Send-Q", () => {
    for (const [portText, expected] of Object.entries(CAPTURED)) {
      const port = Number(portText);
      const census = takeCensus(ssRows, port);
      assert.deepEqual(nonZero(census.server), expected.server, `server ${port}`);
      assert.deepEqual(nonZero(census.tester), expected.tester, `tester ${port}`);
      assert.equal(census.listen?.acceptQueue, expected.acceptQueue, `queue ${port}`);
      assert.equal(census.listen?.backlog, expected.ssBacklog, `backlog ${port}`);
    }
  });

  await t.step("a port with no socket: zero counts and no listener", () => {
    // 20011 was bound but never listened: /proc/net/tcp does not list it.
    for (const rows of [procRows, ssRows]) {
      const census = takeCensus(rows, 20011);
      assert.deepEqual(census.server, emptyStateCounts());
      assert.deepEqual(census.tester, emptyStateCounts());
      assert.equal(census.listen, undefined);
    }
  });

  await t.step(
    "NEW_SYN_RECV (0C) from the handwritten table is SYN_RECV; CLOSE (07) is not counted",
    () => {
      const rows = parseProcNetTcp(procHandwritten);
      assert.deepEqual(rows.map((r) => r.state), ["CLOSE", "NEW_SYN_RECV", "ESTABLISHED"]);
      const deferAccept = takeCensus(rows, 20007);
      assert.deepEqual(nonZero(deferAccept.server), { SYN_RECV: 1 });
      // 20005: the CLOSE row and the ESTABLISHED row share the client port 40788.
      const dualStack = takeCensus(rows, 20005);
      assert.deepEqual(nonZero(dualStack.tester), { ESTABLISHED: 1 });
      assert.deepEqual(nonZero(dualStack.server), {});
    },
  );

  await t.step("testerRows split: server table from the fixture, tester table empty", () => {
    const census = takeCensus(procRows, 20003, { testerRows: [] });
    assert.deepEqual(nonZero(census.server), { CLOSE_WAIT: 1 });
    assert.deepEqual(nonZero(census.tester), {});
    // And the other way round: the fixture as the tester's table only.
    const reversed = takeCensus([], 20003, { testerRows: procRows });
    assert.deepEqual(nonZero(reversed.server), {});
    assert.equal(reversed.listen, undefined);
    assert.deepEqual(nonZero(reversed.tester), { FIN_WAIT2: 1 });
  });
});
