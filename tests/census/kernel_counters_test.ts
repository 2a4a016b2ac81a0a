/**
 * Tests for lib/census/kernel_counters.ts.
 *
 * The fixtures proc_net_netstat.txt and proc_net_snmp.txt are real files,
 * captured with `cat` on a project machine (Linux 6.18.44) in its shared
 * network namespace, so their counters carry whatever that host had done.
 */

import {
  KernelCountersFormatError,
  KernelCountersUnavailableError,
} from "../../lib/base/errors.ts";
import assert from "node:assert/strict";
import {
  diffKernelCounters,
  KERNEL_COUNTER_KEYS,
  type KernelCounters,
  kernelCountersFrom,
  parseNetstat,
  readKernelCounters,
} from "../../lib/census/kernel_counters.ts";
import { listenBelowEphemeral } from "../../lib/testing/reference_servers.ts";

const fixture = (name: string): Promise<string> =>
  Deno.readTextFile(new URL(`../fixtures/${name}`, import.meta.url));

const [netstat, snmp] = await Promise.all([
  fixture("proc_net_netstat.txt"),
  fixture("proc_net_snmp.txt"),
]);

/** The counters in the captured fixtures, read off the files by hand. */
const CAPTURED: KernelCounters = {
  listenOverflows: 98,
  listenDrops: 98,
  tcpSynRetrans: 43,
  syncookiesSent: 0,
  syncookiesRecv: 0,
  syncookiesFailed: 0,
  tcpReqQFullDoCookies: 0,
  tcpReqQFullDrop: 0,
  retransSegs: 43,
  tcpTimeWaitOverflow: 0,
};

Deno.test("parseNetstat", async (t) => {
  await t.step("parses the captured /proc/net/netstat", () => {
    const counters = parseNetstat(netstat);
    // TcpExt 135 + IpExt 18 + MPTcpExt 76 names on this kernel.
    assert.equal(counters.size, 229);
    assert.equal(counters.get("TcpExt.ListenOverflows"), 98);
    assert.equal(counters.get("TcpExt.ListenDrops"), 98);
    assert.equal(counters.get("TcpExt.TCPSynRetrans"), 43);
    assert.equal(counters.get("TcpExt.TW"), 4661896);
    assert.equal(counters.get("TcpExt.TCPAODroppedIcmps"), 0); // last TcpExt column
    assert.equal(counters.get("IpExt.InOctets"), 1663561463);
    assert.equal(counters.get("MPTcpExt.WinProbe"), 0);
    assert.equal(counters.get("Tcp.RetransSegs"), undefined); // that one is in snmp
  });

  await t.step("parses the captured /proc/net/snmp, negative values included", () => {
    const counters = parseNetstat(snmp);
    assert.equal(counters.size, 83);
    assert.equal(counters.get("Tcp.RetransSegs"), 43);
    assert.equal(counters.get("Tcp.RtoMin"), 200);
    assert.equal(counters.get("Tcp.MaxConn"), -1); // the kernel's "no limit"
    assert.equal(counters.get("Tcp.OutRsts"), 9127);
    assert.equal(counters.get("IcmpMsg.InType3"), 2);
    assert.equal(counters.get("UdpLite.MemErrors"), 0);
  });

  await t.step("parses both files concatenated, as cat prints them", () => {
    const both = parseNetstat(netstat + snmp);
    assert.deepEqual(both, new Map([...parseNetstat(netstat), ...parseNetstat(snmp)]));
    assert.equal(both.size, 229 + 83);
    assert.deepEqual(parseNetstat(snmp + netstat), both);
    assert.deepEqual(parseNetstat((netstat + snmp).replaceAll("\n", "\r\n")), both);
  });

  await t.step("gives an empty map for empty text", () => {
    assert.equal(parseNetstat("").size, 0);
    assert.equal(parseNetstat("\n \n").size, 0);
  });

  await t.step("rejects malformed text with a one-line message naming the line", () => {
    const cases: [string, RegExp][] = [
      ["TcpExt: A B C\nTcpExt: 1 2\n", /line 2: 3 names but 2 values for "TcpExt:"/],
      ["TcpExt: A B\nTcpExt: 1 2 3\n", /line 2: 2 names but 3 values/],
      ["TcpExt: A B\nTcpExt: 1 x\n", /line 2: value of TcpExt\.B is not an integer/],
      ["TcpExt: A B\nTcpExt: 1 2.5\n", /line 2: value of TcpExt\.B is not an integer/],
      ["TcpExt: A B\nTcpExt: 1 2\nTcp: A\n", /line 3: header without a value line/],
      ["TcpExt: A B\nIpExt: 1 2\n", /line 2: expected the values of "TcpExt:"/],
      ["hello world\n", /line 1: expected a header/],
      [netstat.replace("TcpExt: 0 0 0", "TcpExt: 0 0"), /line 2: 135 names but 134 values/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseNetstat(text), (error: unknown) => {
        assert.ok(error instanceof KernelCountersFormatError);
        assert.equal(error.name, "KernelCountersFormatError");
        assert.match(error.message, message);
        assert.ok(!error.message.includes("\n") && error.message.length < 200);
        return true;
      });
    }
  });
});

Deno.test("kernelCountersFrom", async (t) => {
  await t.step("picks the accept-queue counters out of both files", () => {
    assert.deepEqual(kernelCountersFrom(parseNetstat(netstat + snmp)), CAPTURED);
  });

  await t.step("maps every field to its own /proc key", () => {
    assert.deepEqual(KERNEL_COUNTER_KEYS, {
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
    const map = new Map(Object.values(KERNEL_COUNTER_KEYS).map((key, i) => [key, i + 1]));
    const counters = kernelCountersFrom(map);
    for (const [field, key] of Object.entries(KERNEL_COUNTER_KEYS)) {
      assert.equal(counters[field as keyof KernelCounters], map.get(key), field);
    }
  });

  await t.step("throws naming the counters that are missing", () => {
    assert.throws(() => kernelCountersFrom(parseNetstat(netstat)), {
      name: "KernelCountersFormatError",
      message: /Missing TCP counters Tcp\.RetransSegs:/,
    });
    assert.throws(() => kernelCountersFrom(parseNetstat(snmp)), {
      name: "KernelCountersFormatError",
      message:
        /TcpExt\.ListenOverflows, TcpExt\.ListenDrops, .*TcpExt\.TCPReqQFullDrop, TcpExt\.TCPTimeWaitOverflow:/,
    });
  });
});

Deno.test("diffKernelCounters subtracts before from after, field by field", () => {
  const fields = Object.keys(KERNEL_COUNTER_KEYS) as (keyof KernelCounters)[];
  const after = { ...CAPTURED };
  fields.forEach((field, i) => after[field] += i + 1);
  const delta = diffKernelCounters(CAPTURED, after);
  assert.deepEqual(fields.map((field) => delta[field]), fields.map((_, i) => i + 1));
  assert.deepEqual(diffKernelCounters(CAPTURED, CAPTURED), {
    ...CAPTURED,
    ...Object.fromEntries(fields.map((field) => [field, 0])),
  });
});

Deno.test("readKernelCounters sees a full accept queue overflow", async () => {
  // Backlog 1 and no accept(): the queue holds 2, and the kernel drops the SYNs
  // (or the handshake-ending ACKs) of the rest, counting each in ListenOverflows.
  // A dropped SYN is retried after the initial RTO (about 1 s), which the
  // 1.5 s timeout leaves room for, so TCPSynRetrans rises too.
  const listener = listenBelowEphemeral({ hostname: "127.0.0.1", backlog: 1 });
  const { port } = listener.addr;
  const conns: Deno.TcpConn[] = [];
  try {
    const before = await readKernelCounters();
    const attempts = await Promise.allSettled(
      Array.from(
        { length: 20 },
        () => Deno.connect({ hostname: "127.0.0.1", port, signal: AbortSignal.timeout(1500) }),
      ),
    );
    const after = await readKernelCounters();
    for (const attempt of attempts) {
      if (attempt.status === "fulfilled") conns.push(attempt.value);
    }
    const timedOut = attempts.filter((attempt) =>
      attempt.status === "rejected" && attempt.reason instanceof DOMException &&
      attempt.reason.name === "TimeoutError"
    );
    assert.equal(conns.length + timedOut.length, 20, "connects failed otherwise");
    assert.ok(timedOut.length >= 1, `all ${conns.length} connects succeeded`);

    const delta = diffKernelCounters(before, after);
    // Other traffic in the namespace only adds, never subtracts.
    assert.ok(delta.listenOverflows >= 1, `ListenOverflows rose by ${delta.listenOverflows}`);
    assert.ok(delta.listenDrops >= 1, `ListenDrops rose by ${delta.listenDrops}`);
    assert.ok(delta.tcpSynRetrans >= 1, `TCPSynRetrans rose by ${delta.tcpSynRetrans}`);
    for (const [field, value] of Object.entries(delta)) assert.ok(value >= 0, field);
  } finally {
    for (const conn of conns) conn.close();
    listener.close();
  }
});

Deno.test({
  name: "readKernelCounters without --allow-run throws KernelCountersUnavailableError",
  permissions: { read: true, run: false },
  fn: async () => {
    await assert.rejects(readKernelCounters(), (error: unknown) => {
      assert.ok(error instanceof KernelCountersUnavailableError);
      assert.equal(error.name, "KernelCountersUnavailableError");
      assert.match(error.message, /not allowed to run cat \(grant --allow-run=cat\)/);
      assert.ok(!error.message.includes("\n"));
      assert.ok(error.cause instanceof Deno.errors.NotCapable);
      return true;
    });
  },
});
