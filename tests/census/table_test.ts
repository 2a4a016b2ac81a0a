/**
 * Tests for lib/census/table.ts.
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

import { SocketTableFormatError, SocketTableUnavailableError } from "../../lib/base/errors.ts";
import assert from "node:assert/strict";
import {
  parseProcNetTcp,
  parseSocketTable,
  parseSsTan,
  readListenBacklog,
  readLocalSocketTable,
  type SocketRow,
  TCP_STATES,
  uniqueSocketRows,
} from "../../lib/census/table.ts";

const fixture = (name: string): Promise<string> =>
  Deno.readTextFile(new URL(`../fixtures/${name}`, import.meta.url));

const [procTcp, procTcp6, procHandwritten, ssTan, ssTanoe, ssLnt] = await Promise.all([
  fixture("proc_net_tcp.txt"),
  fixture("proc_net_tcp6.txt"),
  fixture("proc_net_tcp_handwritten.txt"),
  fixture("ss_tan.txt"),
  fixture("ss_tanoe.txt"),
  fixture("ss_lnt.txt"),
]);

const matches = (row: SocketRow, match: Partial<SocketRow>): boolean =>
  Object.entries(match).every(([key, value]) => row[key as keyof SocketRow] === value);

/** The one row matching every given field; fails on none or several. */
function onlyRow(rows: SocketRow[], match: Partial<SocketRow>): SocketRow {
  const found = rows.filter((row) => matches(row, match));
  assert.equal(
    found.length,
    1,
    `expected one row matching ${JSON.stringify(match)}, got ${JSON.stringify(found)}`,
  );
  return found[0];
}

/** Identifies a connection the same way in both sources. */
const connectionKey = (row: SocketRow): string =>
  `${row.state} ${row.localAddress}:${row.localPort} ${row.remoteAddress}:${row.remotePort}`;

const byKey = (rows: SocketRow[]): Map<string, SocketRow> =>
  new Map(rows.map((row) => [connectionKey(row), row]));

/** A row in /proc/net/tcp's exact layout, as the kernel prints it. */
function procRow(sl: number, local: string, remote: string, state: string): string {
  return `${String(sl).padStart(4)}: ${local} ${remote} ${state} 00000000:00000000 ` +
    "00:00000000 00000000     0        0 627841 1 00000000adc13274 20 0 0 10 -1";
}

/** Encodes 8 IPv6 groups as /proc/net/tcp6 prints them: 4 little-endian words. */
function procHex6(groups: number[]): string {
  const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
  let hex = "";
  for (let w = 0; w < 4; w++) {
    for (let b = 3; b >= 0; b--) hex += bytes[w * 4 + b].toString(16).padStart(2, "0");
  }
  return hex.toUpperCase();
}

const PROC_HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

Deno.test("TCP_STATES lists the kernel states in st-code order", () => {
  assert.equal(TCP_STATES.length, 12);
  assert.equal(TCP_STATES[0x01 - 1], "ESTABLISHED");
  assert.equal(TCP_STATES[0x06 - 1], "TIME_WAIT");
  assert.equal(TCP_STATES[0x0a - 1], "LISTEN");
  assert.equal(TCP_STATES[0x0c - 1], "NEW_SYN_RECV");
  assert.ok(Object.isFrozen(TCP_STATES));
});

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

Deno.test("uniqueSocketRows drops rows listed twice, keeping order", () => {
  const rows = parseProcNetTcp(procTcp);
  const repeated = parseProcNetTcp(procTcp + procTcp + procTcp6);
  assert.equal(repeated.length, 27 * 2 + 6);
  assert.deepEqual(uniqueSocketRows(repeated), [...rows, ...parseProcNetTcp(procTcp6)]);
  // Same ports, another state or inode: a different socket, kept.
  const [listen] = parseSsTan("LISTEN 0 5 0.0.0.0:20001 0.0.0.0:*");
  const reusePort = { ...listen, inode: listen.inode + 1 };
  const timeWait = { ...listen, state: "TIME_WAIT" as const };
  assert.deepEqual(uniqueSocketRows([listen, reusePort, timeWait, listen]), [
    listen,
    reusePort,
    timeWait,
  ]);
});

Deno.test("parseSocketTable", async (t) => {
  await t.step("detects /proc/net/tcp text, with or without headers", () => {
    assert.deepEqual(parseSocketTable(procTcp + procTcp6), [
      ...parseProcNetTcp(procTcp),
      ...parseProcNetTcp(procTcp6),
    ]);
    const headerless = procTcp.slice(procTcp.indexOf("\n") + 1);
    assert.equal(parseSocketTable(headerless).length, 27);
    assert.equal(parseSocketTable(procHandwritten).length, 3);
  });

  await t.step("detects ss output, with or without a header", () => {
    assert.deepEqual(parseSocketTable(ssTan), parseSsTan(ssTan));
    assert.deepEqual(parseSocketTable(ssTanoe), parseSsTan(ssTanoe));
    assert.deepEqual(parseSocketTable(`\n${ssLnt.slice(ssLnt.indexOf("\n") + 1)}`).length, 10);
  });

  await t.step("gives no rows for empty text", () => {
    assert.deepEqual(parseSocketTable(""), []);
    assert.deepEqual(parseSocketTable(" \n\n"), []);
  });

  await t.step("throws SocketTableFormatError for other text", () => {
    const others = [
      "hello world",
      // `ss -an` has a Netid column: not the ss -tan layout.
      "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
      "tcp   LISTEN 0 5 127.0.0.1:20001 0.0.0.0:*",
      "Proto Recv-Q Send-Q Local Address Foreign Address State", // netstat
      "x".repeat(500),
    ];
    for (const text of others) {
      assert.throws(() => parseSocketTable(text), (error: unknown) => {
        assert.ok(error instanceof SocketTableFormatError);
        assert.equal(error.name, "SocketTableFormatError");
        assert.match(error.message, /^Unrecognised socket table/);
        assert.ok(!error.message.includes("\n") && error.message.length < 200);
        return true;
      });
    }
  });
});

Deno.test("parseProcNetTcp decodes 14,000 rows in well under 100 ms", () => {
  const lines = (procTcp + procTcp6).split("\n").filter((line) => /^\s*\d+:/.test(line));
  const body: string[] = [];
  for (let i = 0; body.length < 14_000; i++) body.push(lines[i % lines.length]);
  const text = `${PROC_HEADER}\n${body.join("\n")}\n`;
  // Best of three: the machines are shared, one slow run says little.
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    assert.equal(parseProcNetTcp(text).length, 14_000);
    best = Math.min(best, performance.now() - start);
  }
  assert.ok(best < 100, `best of 3 took ${best.toFixed(1)} ms`);
});

/** Listens on a free port in 20000..31999: below the ephemeral range. */
function listenBelowEphemeral(hostname: string, tcpBacklog?: number): Deno.TcpListener {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      return Deno.listen({ hostname, port, tcpBacklog });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    }
  }
  throw new Error("No free port in 20000..31999");
}

Deno.test("readLocalSocketTable shows a live connection from both sides", async (t) => {
  for (const hostname of ["127.0.0.1", "::1"]) {
    await t.step(hostname, async () => {
      const listener = listenBelowEphemeral(hostname);
      const port = listener.addr.port;
      const [client, server] = await Promise.all([
        Deno.connect({ hostname, port }),
        listener.accept(),
      ]);
      try {
        const clientPort = client.localAddr.port;
        const listenMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: port,
          state: "LISTEN",
        };
        // The whole 4-tuple and the state: on a shared host the port may still
        // carry TIME_WAIT rows of an earlier server (Deno binds SO_REUSEADDR).
        const clientMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: clientPort,
          remoteAddress: hostname,
          remotePort: port,
          state: "ESTABLISHED",
        };
        const serverMatch: Partial<SocketRow> = {
          localAddress: hostname,
          localPort: port,
          remoteAddress: hostname,
          remotePort: clientPort,
          state: "ESTABLISHED",
        };
        // /proc/net/tcp is not an atomic snapshot: while other processes churn
        // connections a row can be missed, so read again before failing.
        let rows: SocketRow[] = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          rows = await readLocalSocketTable();
          const wanted = [listenMatch, clientMatch, serverMatch];
          if (wanted.every((match) => rows.some((row) => matches(row, match)))) break;
        }
        const listen = onlyRow(rows, listenMatch);
        assert.equal(listen.rxQueue, 0); // accepted already
        assert.ok(listen.inode > 0);
        const clientRow = onlyRow(rows, clientMatch);
        const serverRow = onlyRow(rows, serverMatch);
        assert.ok(clientRow.inode > 0 && serverRow.inode > 0);
      } finally {
        client.close();
        server.close();
        listener.close();
      }
    });
  }
});

Deno.test("readListenBacklog", async (t) => {
  await t.step("returns the backlog a Deno listener was given", async () => {
    const listener = listenBelowEphemeral("127.0.0.1", 7);
    try {
      assert.equal(await readListenBacklog(listener.addr.port), 7);
    } finally {
      listener.close();
    }
  });

  await t.step("returns undefined when nothing listens on the port", async () => {
    const listener = listenBelowEphemeral("127.0.0.1");
    const port = listener.addr.port;
    listener.close();
    assert.equal(await readListenBacklog(port), undefined);
  });

  await t.step("rejects ports outside 1..65535", async () => {
    for (const port of [0, 65536, 1.5, NaN]) {
      await assert.rejects(readListenBacklog(port), RangeError);
    }
  });
});

Deno.test({
  name: "reading the table without --allow-run throws SocketTableUnavailableError",
  permissions: { read: true, run: false },
  fn: async () => {
    for (const read of [readLocalSocketTable, () => readListenBacklog(20_001)]) {
      await assert.rejects(read(), (error: unknown) => {
        assert.ok(error instanceof SocketTableUnavailableError);
        assert.equal(error.name, "SocketTableUnavailableError");
        assert.match(error.message, /not allowed to run (cat|ss)/);
        assert.ok(error.cause instanceof Deno.errors.NotCapable);
        return true;
      });
    }
  },
});
