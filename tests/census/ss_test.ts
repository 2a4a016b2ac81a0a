/**
 * Tests for lib/census/ss.ts, on the captured `ss -tan`, `ss -tanoe` and
 * `ss -lnt` fixtures (see table_fixtures.ts), checked against /proc/net/tcp.
 */

import assert from "node:assert/strict";
import { isSsState, parseSsTan } from "../../lib/census/ss.ts";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import type { SocketRow } from "../../lib/census/row.ts";
import {
  byKey,
  connectionKey,
  onlyRow,
  procTcp,
  procTcp6,
  ssLnt,
  ssTan,
  ssTanoe,
} from "./table_fixtures.ts";

Deno.test("parseSsTan", async (t) => {
  const rows = parseSsTan(ssTan);
  const proc = [...parseProcNetTcp(procTcp), ...parseProcNetTcp(procTcp6)];

  await t.step("decodes the captured ss -tan table", () => {
    assert.equal(rows.length, 33);
    assert.deepEqual(onlyRow(rows, { localPort: 20001, state: "LISTEN" }), {
      localAddress: "127.0.0.1",
      localPort: 20001,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      txQueue: 5, // Send-Q of a LISTEN row: the configured backlog
      rxQueue: 1, // Recv-Q: connections waiting for accept()
      timerActive: 0,
      retransmits: 0,
      inode: 0,
    });
    const full = onlyRow(rows, { localPort: 20006, state: "LISTEN" });
    assert.deepEqual([full.txQueue, full.rxQueue], [0, 1]);
    // "*:20005 *:*" is the dual-stack (not v6only) listener on [::].
    const dual = onlyRow(rows, { localPort: 20005, state: "LISTEN" });
    assert.deepEqual([dual.localAddress, dual.remoteAddress, dual.txQueue], ["::", "::", 9]);
    const v6 = onlyRow(rows, { localPort: 20004, state: "LISTEN" });
    assert.deepEqual([v6.localAddress, v6.remoteAddress, v6.remotePort], ["::1", "::", 0]);
    const mapped = onlyRow(rows, { localPort: 20005, state: "ESTABLISHED" });
    assert.deepEqual([mapped.localAddress, mapped.remoteAddress], ["127.0.0.1", "127.0.0.1"]);
    const timeWait = onlyRow(rows, { remotePort: 20002 });
    assert.deepEqual([timeWait.state, timeWait.localPort, timeWait.inode], ["TIME_WAIT", 34366, 0]);
    const finWait1 = onlyRow(rows, { state: "FIN_WAIT1" });
    assert.deepEqual([finWait1.localPort, finWait1.txQueue], [43278, 8193]);
    assert.equal(onlyRow(rows, { state: "SYN_RECV" }).localPort, 20007);
    assert.equal(onlyRow(rows, { state: "LAST_ACK" }).localPort, 20009);
    assert.equal(onlyRow(rows, { state: "CLOSING" }).localPort, 45672);
  });

  await t.step("lists the same sockets and queues as /proc/net/tcp", () => {
    const fromSs = byKey(rows);
    const fromProc = byKey(proc);
    assert.deepEqual([...fromSs.keys()].sort(), [...fromProc.keys()].sort());
    for (const [key, row] of fromSs) {
      const procRow = fromProc.get(key)!;
      assert.equal(row.rxQueue, procRow.rxQueue, key);
      // /proc has no backlog: a LISTEN row's tx_queue there is always 0.
      assert.equal(procRow.txQueue, row.state === "LISTEN" ? 0 : row.txQueue, key);
    }
  });

  await t.step("reads inode and timer from the -e and -o columns", () => {
    const extended = parseSsTan(ssTanoe);
    assert.equal(extended.length, rows.length);
    const fromProc = byKey(proc);
    for (const row of extended) {
      const procRow = fromProc.get(connectionKey(row))!;
      assert.equal(row.inode, procRow.inode, connectionKey(row));
      assert.equal(row.timerActive, procRow.timerActive, connectionKey(row));
    }
    const synSent = onlyRow(extended, { state: "SYN_SENT" });
    assert.deepEqual([synSent.inode, synSent.timerActive, synSent.retransmits], [627845, 1, 1]);
    // Apart from those columns the rows equal plain ss -tan's.
    const strip = (row: SocketRow) => ({ ...row, inode: 0, timerActive: 0, retransmits: 0 });
    assert.deepEqual(extended.map(strip), rows);
  });

  await t.step("parses ss -lnt, with or without its header", () => {
    // This header has no blank between "Port" and "Process": ss sizes columns.
    assert.match(ssLnt, /Peer Address:PortProcess/);
    const listening = parseSsTan(ssLnt);
    assert.equal(listening.length, 10);
    assert.ok(listening.every((row) => row.state === "LISTEN"));
    const headerless = ssLnt.slice(ssLnt.indexOf("\n") + 1);
    assert.deepEqual(parseSsTan(headerless), listening);
  });

  await t.step("handles interface suffixes and process columns, skips UNCONN", () => {
    // Hand-written in ss's layout: these did not occur in the captured namespace.
    const text = [
      "State  Recv-Q Send-Q      Local Address:Port  Peer Address:Port Process",
      "LISTEN 0      4096    127.0.0.53%lo:53           0.0.0.0:*",
      "LISTEN 0      128     [fe80::1]%eth0:22             [::]:*",
      "UNCONN 0      0           127.0.0.1:20011        0.0.0.0:*",
      "CLOSE  0      0           127.0.0.1:20012      127.0.0.1:41000",
      'ESTAB  0      0   [::ffff:127.0.0.1]:80  [::ffff:127.0.0.1]:40000 users:(("deno",pid=7,fd=3))',
    ].join("\n");
    const parsed = parseSsTan(text);
    assert.deepEqual(
      parsed.map((row) => [row.state, row.localAddress, row.localPort, row.txQueue]),
      [
        ["LISTEN", "127.0.0.53", 53, 4096],
        ["LISTEN", "fe80::1", 22, 128],
        ["CLOSE", "127.0.0.1", 20012, 0],
        ["ESTABLISHED", "127.0.0.1", 80, 0],
      ],
    );
    assert.deepEqual([parsed[3].remoteAddress, parsed[3].remotePort], ["127.0.0.1", 40000]);
  });

  await t.step("rejects rows without numeric addresses or with unknown states", () => {
    for (
      const line of [
        "ESTAB 0 0 localhost:http localhost:40000",
        "ESTAB 0 0 127.0.0.1:80",
        "ESTAB x 0 127.0.0.1:80 127.0.0.1:40000",
        "BOUND 0 0 127.0.0.1:80 127.0.0.1:40000",
      ]
    ) {
      assert.throws(() => parseSsTan(line), { name: "SocketTableFormatError", message: /line 1/ });
    }
  });
});

Deno.test("isSsState knows the state names ss prints, not the kernel's", () => {
  for (const word of ["ESTAB", "SYN-SENT", "TIME-WAIT", "CLOSE-WAIT", "LISTEN", "UNCONN"]) {
    assert.equal(isSsState(word), true, word);
  }
  for (const word of ["ESTABLISHED", "TIME_WAIT", "State", "sl", "0:", ""]) {
    assert.equal(isSsState(word), false, word);
  }
});
