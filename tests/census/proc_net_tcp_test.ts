/**
 * Tests for lib/census/proc_net_tcp.ts, on the captured /proc/net/tcp{,6}
 * fixtures (see table_fixtures.ts) and rows built in the kernel's layout.
 */

import { SocketTableFormatError } from "../../lib/base/errors.ts";
import assert from "node:assert/strict";
import { parseProcNetTcp } from "../../lib/census/proc_net_tcp.ts";
import { type SocketRow, TCP_STATES } from "../../lib/census/row.ts";
import {
  onlyRow,
  PROC_HEADER,
  procHandwritten,
  procHex6,
  procRow,
  procTcp,
  procTcp6,
} from "./table_fixtures.ts";

Deno.test("parseProcNetTcp", async (t) => {
  const rows = parseProcNetTcp(procTcp);

  await t.step("decodes every row of the captured IPv4 table", () => {
    assert.equal(rows.length, 27);
    assert.deepEqual(onlyRow(rows, { localPort: 20001, state: "LISTEN" }), {
      localAddress: "127.0.0.1",
      localPort: 20001,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      txQueue: 0,
      rxQueue: 1, // one connection left in the accept queue
      timerActive: 0,
      retransmits: 0,
      inode: 627825,
    });
    assert.deepEqual(onlyRow(rows, { remotePort: 20002 }), {
      localAddress: "127.0.0.1",
      localPort: 34366,
      remoteAddress: "127.0.0.1",
      remotePort: 20002,
      state: "TIME_WAIT",
      txQueue: 0,
      rxQueue: 0,
      timerActive: 3,
      retransmits: 0,
      inode: 0,
    });
    assert.deepEqual(onlyRow(rows, { state: "SYN_SENT" }), {
      localAddress: "127.0.0.1",
      localPort: 57680,
      remoteAddress: "127.0.0.1",
      remotePort: 20006,
      state: "SYN_SENT",
      txQueue: 1, // the SYN
      rxQueue: 0,
      timerActive: 1,
      retransmits: 1,
      inode: 627845,
    });
  });

  await t.step("shows each scripted scenario in its TCP state", () => {
    const expected: [Partial<SocketRow>, Partial<SocketRow>][] = [
      // 20001: accepted connection with 3 unread bytes, and one never accepted.
      [{ localPort: 20001, remotePort: 42138 }, { state: "ESTABLISHED", rxQueue: 3 }],
      [{ localPort: 20001, remotePort: 42142 }, { state: "ESTABLISHED", inode: 0 }],
      // 20003: client half-closed, server never closes.
      [{ localPort: 42480, remotePort: 20003 }, { state: "FIN_WAIT2", inode: 627833 }],
      [{ localPort: 20003, remotePort: 42480 }, { state: "CLOSE_WAIT", rxQueue: 1 }],
      // 20006: backlog 0, queue full, so the LISTEN row is at backlog + 1.
      [{ localPort: 20006, remotePort: 0 }, { state: "LISTEN", rxQueue: 1 }],
      // 20007: TCP_DEFER_ACCEPT keeps the request socket in SYN_RECV.
      [{ localPort: 20007, remotePort: 55944 }, {
        state: "SYN_RECV",
        timerActive: 1,
        retransmits: 1,
        inode: 0,
      }],
      [{ localPort: 55944, remotePort: 20007 }, { state: "ESTABLISHED" }],
      // 20008: FIN queued behind 8192 unacknowledged bytes, zero-window probes.
      [{ localPort: 43278, remotePort: 20008 }, {
        state: "FIN_WAIT1",
        txQueue: 8193,
        timerActive: 4,
      }],
      [{ localPort: 20008, remotePort: 43278 }, { state: "ESTABLISHED", rxQueue: 4096 }],
      // 20009: server's FIN queued behind data the half-closed client never reads.
      [{ localPort: 20009, remotePort: 59228 }, { state: "LAST_ACK", txQueue: 8193, rxQueue: 1 }],
      [{ localPort: 59228, remotePort: 20009 }, { state: "FIN_WAIT2", rxQueue: 4096 }],
      // 20010: both closed; the client read the server's FIN, its own is stuck.
      [{ localPort: 45672, remotePort: 20010 }, { state: "CLOSING", txQueue: 8193 }],
      [{ localPort: 20010, remotePort: 45672 }, { state: "FIN_WAIT2", rxQueue: 4096 }],
    ];
    for (const [where, fields] of expected) {
      const row = onlyRow(rows, where);
      for (const [key, value] of Object.entries(fields)) {
        assert.equal(row[key as keyof SocketRow], value, `${JSON.stringify(where)} ${key}`);
      }
    }
  });

  await t.step("decodes IPv6 rows and IPv4-mapped addresses", () => {
    const rows6 = parseProcNetTcp(procTcp6);
    assert.equal(rows6.length, 6);
    assert.deepEqual(
      onlyRow(rows6, { localPort: 20004, state: "LISTEN" }),
      {
        localAddress: "::1",
        localPort: 20004,
        remoteAddress: "::",
        remotePort: 0,
        state: "LISTEN",
        txQueue: 0,
        rxQueue: 0,
        timerActive: 0,
        retransmits: 0,
        inode: 627835,
      },
    );
    // The dual-stack listener on [::]:20005.
    assert.equal(onlyRow(rows6, { localPort: 20005, state: "LISTEN" }).localAddress, "::");
    const timeWait = onlyRow(rows6, { state: "TIME_WAIT" });
    assert.deepEqual(
      [timeWait.localAddress, timeWait.localPort, timeWait.remotePort, timeWait.inode],
      ["::1", 46462, 20004, 0],
    );
    // ::ffff:127.0.0.1 on the accepted side matches the plain IPv4 client row.
    const mapped = onlyRow(rows6, { localPort: 20005, state: "ESTABLISHED" });
    assert.deepEqual(
      [mapped.localAddress, mapped.remoteAddress, mapped.remotePort, mapped.inode],
      ["127.0.0.1", "127.0.0.1", 40788, 627842],
    );
    const client = onlyRow(rows, { localPort: 40788 });
    assert.deepEqual([client.remoteAddress, client.remotePort], ["127.0.0.1", 20005]);
  });

  await t.step("decodes every state code 01..0C", () => {
    const handwritten = parseProcNetTcp(procHandwritten);
    assert.deepEqual(handwritten.map((row) => row.state), ["CLOSE", "NEW_SYN_RECV", "ESTABLISHED"]);
    assert.equal(handwritten[1].localPort, 20007);
    assert.equal(handwritten[2].localPort, 40788); // the row numbered 12345
    const seen = new Set(
      [...rows, ...parseProcNetTcp(procTcp6), ...handwritten].map((row) => row.state),
    );
    assert.deepEqual([...seen].sort(), [...TCP_STATES].sort());
    // One synthetic row per code, to tie each code to its name explicitly.
    TCP_STATES.forEach((state, index) => {
      const code = (index + 1).toString(16).toUpperCase().padStart(2, "0");
      const line = procRow(0, "0100007F:4E21", "0100007F:A49A", code);
      assert.equal(parseProcNetTcp(line)[0].state, state, `code ${code}`);
    });
  });

  await t.step("parses several files concatenated, each with its header", () => {
    const both = parseProcNetTcp(procTcp + procTcp6);
    assert.equal(both.length, 33);
    assert.deepEqual(both, [...rows, ...parseProcNetTcp(procTcp6)]);
    assert.deepEqual(parseProcNetTcp(procTcp6 + procTcp).length, 33);
    assert.deepEqual(parseProcNetTcp((procTcp + procTcp6).replaceAll("\n", "\r\n")), both);
    assert.deepEqual(parseProcNetTcp(PROC_HEADER), []);
  });

  await t.step("renders IPv6 addresses as inet_ntop (RFC 5952) does", () => {
    const cases: [number[], string][] = [
      [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
      [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
      [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "2001:db8::1"],
      [[0xfe80, 0, 0, 0, 0xa00, 0x27ff, 0xfe4e, 0x66a1], "fe80::a00:27ff:fe4e:66a1"],
      [[1, 0, 0, 2, 0, 0, 0, 3], "1:0:0:2::3"], // the longest run wins
      [[1, 0, 0, 2, 3, 0, 0, 4], "1::2:3:0:0:4"], // the first of equal runs wins
      [[1, 2, 3, 4, 5, 6, 0, 8], "1:2:3:4:5:6:0:8"], // a single 0 stays
      [[1, 0, 0, 0, 0, 0, 0, 0], "1::"],
      [[0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001], "10.0.0.1"], // IPv4-mapped
    ];
    for (const [groups, text] of cases) {
      const line = procRow(0, `${procHex6(groups)}:0050`, `${"0".repeat(32)}:0000`, "0A");
      const [row] = parseProcNetTcp(line);
      assert.equal(row.localAddress, text);
      assert.equal(row.localPort, 80);
    }
  });

  await t.step("rejects malformed rows with a one-line message naming the line", () => {
    const good = procRow(0, "0100007F:4E21", "0100007F:A49A", "01");
    const bad = [
      good.replace(" 01 ", " 0D "), // no such state
      good.replace(" 01 ", " 00 "),
      good.replace("0100007F:4E21", "0100007G:4E21"), // not hex
      good.replace("0100007F:4E21", "00007F:4E21"), // wrong width
      good.slice(0, 40), // truncated
      good.replace(" 627841 ", " 62x841 "),
    ];
    for (const line of bad) {
      assert.throws(() => parseProcNetTcp(`${PROC_HEADER}\n${line}\n`), (error: unknown) => {
        assert.ok(error instanceof SocketTableFormatError);
        assert.equal(error.name, "SocketTableFormatError");
        assert.match(error.message, /^\/proc\/net\/tcp line 2: /);
        assert.ok(!error.message.includes("\n"));
        return true;
      });
    }
  });
});

Deno.test("parseProcNetTcp decodes 14,000 rows of a loaded host, IPv4 and IPv6 mixed", () => {
  // Its speed is a benchmark's business (bench/census_bench.ts), not a timed test's.
  const lines = (procTcp + procTcp6).split("\n").filter((line) => /^\s*\d+:/.test(line));
  const body: string[] = [];
  for (let i = 0; body.length < 14_000; i++) body.push(lines[i % lines.length]);
  const rows = parseProcNetTcp(`${PROC_HEADER}\n${body.join("\n")}\n`);
  assert.equal(rows.length, 14_000);
  const once = parseProcNetTcp(`${PROC_HEADER}\n${lines.join("\n")}\n`);
  assert.deepEqual(rows.slice(0, once.length), once);
  assert.deepEqual(rows[14_000 - 1], once[(14_000 - 1) % once.length]);
});
