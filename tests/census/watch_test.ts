/**
 * Tests for lib/census/watch.ts, against the reference servers on loopback
 * (the local /proc table) and against captured tables read by a command
 * (the `--server-sockets` path).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { CENSUS_STATES } from "../../lib/census/census.ts";
import { commandSocketSource, localSocketSource } from "../../lib/census/source.ts";
import { SocketTableUnavailableError } from "../../lib/base/errors.ts";
import {
  HALF_OPEN_AFTER_MS,
  type SocketReport,
  SocketWatch,
  watchServerSockets,
} from "../../lib/census/watch.ts";
import type { Target } from "../../lib/base/target.ts";

const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const CAT_PROC = `cat '${fixturePath("proc_net_tcp.txt")}' '${fixturePath("proc_net_tcp6.txt")}'`;
const CAT_SS = `cat '${fixturePath("ss_tan.txt")}'`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const N = 20;

/**
 * Opens `n` connections to `port`, half-closes each (our FIN), waits for the
 * server to answer or not, then closes them.
 */
async function halfCloseSessions(port: number, n: number): Promise<void> {
  const conns = await Promise.all(
    Array.from({ length: n }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  try {
    for (const conn of conns) await conn.closeWrite();
    await sleep(200);
  } finally {
    for (const conn of conns) conn.close();
  }
}

/** States whose track is not all zeros, for compact comparisons. */
function changedStates(tracks: SocketReport["server"] | null): string[] {
  assert.ok(tracks);
  return CENSUS_STATES.filter((state) => {
    const t = tracks[state];
    return t.peak !== 0 || t.end !== 0 || t.drained !== 0;
  });
}

const remoteTarget = (hostname: string, port: number): Target => ({
  hostname,
  port,
  label: `${hostname}:${port}`,
});

Deno.test("SocketWatch against the leaky server: 20 CLOSE_WAIT left behind", async () => {
  await using server = await startReferenceServer("leaky");
  const watch = new SocketWatch(server.target.port, {
    server: localSocketSource(),
    intervalMs: 100,
  });
  await watch.baseline();
  watch.start();
  await halfCloseSessions(server.target.port, N);
  await watch.stop();
  const report = await watch.drain(1000);

  assert.equal(report.available, true);
  assert.equal(report.source, "local /proc/net/tcp");
  assert.equal(report.testerSource, "local /proc/net/tcp");
  assert.equal(report.intervalMs, 100);
  assert.equal(report.readErrors, 0);
  assert.equal(watch.lastError, undefined);
  assert.ok(report.samples >= 2, `${report.samples} samples`);
  assert.equal(report.series.length, report.samples);
  assert.deepEqual(report.series[0], { atMs: 0, server: {}, tester: {}, acceptQueue: 0 });

  // The leak: every server socket stays in CLOSE_WAIT through the drain.
  assert.equal(report.server.CLOSE_WAIT.peak, N);
  assert.equal(report.server.CLOSE_WAIT.end, N);
  assert.equal(report.server.CLOSE_WAIT.drained, N);
  assert.equal(report.server.ESTABLISHED.drained, 0);
  assert.equal(report.server.TIME_WAIT.peak, 0);
  assert.equal(report.series.at(-1)?.server.CLOSE_WAIT, N);
  // Our side waits in FIN_WAIT2 for a FIN that never comes.
  assert.equal(report.tester?.FIN_WAIT2.peak, N);
  assert.equal(report.tester?.FIN_WAIT2.drained, N);
  assert.equal(report.tester?.TIME_WAIT.peak, 0);

  // Never settles: the whole window is used.
  assert.equal(report.drainWindowMs, 1000);
  assert.ok(report.drainedAfterMs >= 1000, `drained after ${report.drainedAfterMs} ms`);
  assert.ok(report.drainedAfterMs < 3000, `drained after ${report.drainedAfterMs} ms`);

  // A local server: the listen backlog from ss, the namespace counters.
  assert.equal(report.acceptQueue?.backlog, 4096);
  assert.equal(report.acceptQueue?.baseline, 0);
  assert.equal(report.acceptQueue?.drained, 0);
  assert.ok(report.counters !== null, "counters are read for a local server");
  assert.ok(report.counters.listenOverflows >= 0);
  assert.equal(report.halfOpen, 0);
});

Deno.test("SocketWatch against the well-behaved server: nothing left, the drain ends early", async () => {
  await using server = await startReferenceServer("well-behaved");
  const watch = new SocketWatch(server.target.port, {
    server: localSocketSource(),
    intervalMs: 100,
  });
  await watch.baseline();
  watch.start();
  await halfCloseSessions(server.target.port, N);
  await watch.stop();
  const report = await watch.drain(1000);

  assert.equal(report.server.CLOSE_WAIT.peak, 0);
  assert.equal(report.server.CLOSE_WAIT.drained, 0);
  assert.equal(report.server.TIME_WAIT.peak, 0, "the client closed first");
  assert.deepEqual(changedStates(report.server).filter((s) => s !== "ESTABLISHED"), []);
  for (const state of CENSUS_STATES) assert.equal(report.server[state].drained, 0, state);
  // We sent the first FIN: the TIME_WAIT is ours.
  assert.equal(report.tester?.TIME_WAIT.end, N);
  assert.equal(report.tester?.FIN_WAIT2.drained, 0);
  assert.ok(report.drainedAfterMs < 1000, `drained after ${report.drainedAfterMs} ms`);
  assert.ok(report.samples >= 2);
  assert.ok(report.counters !== null);
});

Deno.test("SocketWatch.drain stops at its signal", async () => {
  await using server = await startReferenceServer("leaky");
  const watch = new SocketWatch(server.target.port, {
    server: localSocketSource(),
    intervalMs: 100,
  });
  await watch.baseline();
  await halfCloseSessions(server.target.port, 1);
  await watch.stop();
  const report = await watch.drain(10_000, { signal: AbortSignal.timeout(300) });
  assert.equal(report.server.CLOSE_WAIT.drained, 1);
  assert.ok(
    report.drainedAfterMs >= 250 && report.drainedAfterMs < 2000,
    `drained after ${report.drainedAfterMs} ms`,
  );
  assert.equal(report.drainWindowMs, 10_000);
});

Deno.test("SocketWatch.drain before baseline() throws", async () => {
  const watch = new SocketWatch(20001, { server: commandSocketSource(CAT_PROC) });
  await assert.rejects(watch.drain(100), /before baseline/);
});

Deno.test("SocketWatch counts failed reads after the baseline and keeps the first error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "synfin_watch_" });
  try {
    // Succeeds once, then fails: a server that went away mid-run.
    const command = `if [ -e '${dir}/read' ]; then echo gone >&2; exit 4; fi; ` +
      `: > '${dir}/read'; ${CAT_PROC}`;
    const watch = new SocketWatch(20003, { server: commandSocketSource(command) });
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(200);
    assert.equal(report.samples, 1);
    assert.equal(report.readErrors, 1);
    assert.ok(watch.lastError instanceof SocketTableUnavailableError);
    assert.match(watch.lastError.message, /exited with code 4: gone$/);
    // The report stands on the baseline alone.
    assert.equal(report.server.CLOSE_WAIT.baseline, 1);
    assert.equal(report.server.CLOSE_WAIT.end, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SocketWatch: a tester connection unacknowledged in two censuses apart is half-open", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "synfin_watch_" });
  try {
    // Our ESTABLISHED socket 127.0.0.1:40000 -> 20001 with 1 byte unacknowledged
    // and the retransmit timer running (tr 01), in /proc/net/tcp's layout.
    const testerTable = `${dir}/tester_tcp.txt`;
    await Deno.writeTextFile(
      testerTable,
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  " +
        "timeout inode\n" +
        "   0: 0100007F:9C40 0100007F:4E21 01 00000001:00000000 01:00000014 00000002     0" +
        "        0 4242 1 0000000000000000 20 4 30 10 -1\n",
    );
    const newWatch = () =>
      new SocketWatch(20001, {
        server: commandSocketSource(CAT_PROC),
        tester: commandSocketSource(`cat '${testerTable}'`),
      });

    await t.step("seen once, or twice close together: not half-open", async () => {
      const watch = newWatch();
      await watch.baseline();
      await watch.stop();
      const report = await watch.drain(0);
      assert.equal(report.samples, 2);
      assert.ok(
        report.series[1].atMs < HALF_OPEN_AFTER_MS,
        `second census after ${report.series[1].atMs} ms`,
      );
      assert.equal(report.halfOpen, 0);
      assert.equal(report.tester?.ESTABLISHED.baseline, 1);
    });

    await t.step(`seen again ${HALF_OPEN_AFTER_MS} ms later: half-open`, async () => {
      const watch = newWatch();
      await watch.baseline();
      await sleep(HALF_OPEN_AFTER_MS + 50);
      await watch.stop();
      const report = await watch.drain(0);
      assert.equal(report.halfOpen, 1);
      assert.equal(report.testerSource, `command: cat '${testerTable}'`);
      assert.equal(report.source, `command: ${CAT_PROC}`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "SocketWatch: an unreadable tester table gives testerSource null and tester null",
  fn: async () => {
    const watch = new SocketWatch(20003, {
      server: commandSocketSource(CAT_PROC),
      tester: commandSocketSource("exit 3"),
    });
    await watch.baseline();
    await watch.stop();
    const report = await watch.drain(0);
    assert.equal(report.testerSource, null);
    assert.equal(report.tester, null);
  },
});

Deno.test({
  name: "SocketWatch: a tester read failing mid-run leaves no negative tester deltas",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "synfin_watch_" });
    try {
      const flaky = `if [ -e '${dir}/read' ]; then exit 4; fi; : > '${dir}/read'; ${CAT_PROC}`;
      const watch = new SocketWatch(20003, {
        server: commandSocketSource(CAT_PROC),
        tester: commandSocketSource(flaky),
      });
      await watch.baseline();
      await watch.stop();
      const report = await watch.drain(0);
      assert.equal(report.tester?.FIN_WAIT2.baseline, 1);
      assert.equal(report.tester?.FIN_WAIT2.end, 0);
      assert.equal(report.readErrors, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("watchServerSockets", async (t) => {
  await t.step("a host that is not this one, without a command: unavailable", async () => {
    const result = await watchServerSockets(remoteTarget("192.0.2.1", 8080));
    assert.equal(result instanceof SocketWatch, false);
    assert.ok(!(result instanceof SocketWatch));
    assert.equal(result.available, false);
    assert.match(result.reason, /192\.0\.2\.1/);
    assert.match(result.reason, /--server-sockets/);
    assert.ok(!result.reason.includes("\n"));
    assert.equal(result.counters, null);
  });

  await t.step("a local target: a watch on the local table, baseline taken", async () => {
    await using server = await startReferenceServer("well-behaved");
    const watch = await watchServerSockets(server.target, { intervalMs: 50 });
    assert.ok(watch instanceof SocketWatch);
    await watch.stop();
    const report = await watch.drain(500);
    assert.equal(report.source, `local ss (port ${server.target.port})`);
    assert.equal(report.intervalMs, 50);
    assert.equal(report.samples, 2);
    assert.deepEqual(changedStates(report.server), []);
    assert.ok(report.drainedAfterMs < 500);
    assert.equal(report.acceptQueue?.backlog, 4096);
    assert.ok(report.counters !== null);
  });

  await t.step(
    "--server-sockets with a captured /proc table: its counts are the baseline",
    async () => {
      // The captured 20003: server CLOSE_WAIT 1, LISTEN with an empty queue.
      const watch = await watchServerSockets(remoteTarget("192.0.2.1", 20003), {
        serverSocketsCommand: CAT_PROC,
      });
      assert.ok(watch instanceof SocketWatch, JSON.stringify(watch));
      watch.start();
      await watch.stop();
      const report = await watch.drain(1000);
      assert.ok(report.source.startsWith("command:"), report.source);
      assert.equal(report.source, `command: ${CAT_PROC}`);
      assert.equal(report.testerSource, "local /proc/net/tcp");
      for (const state of CENSUS_STATES) {
        assert.equal(report.server[state].baseline, state === "CLOSE_WAIT" ? 1 : 0, state);
      }
      // The table never changes: no deltas, settled at once.
      assert.deepEqual(changedStates(report.server), []);
      assert.ok(report.drainedAfterMs < 1000, `drained after ${report.drainedAfterMs} ms`);
      // /proc has no backlog, and a remote server gives no counters.
      assert.deepEqual(report.acceptQueue, {
        backlog: null,
        baseline: 0,
        peak: 0,
        end: 0,
        drained: 0,
      });
      assert.equal(report.counters, null);
      assert.equal(report.readErrors, 0);
      assert.ok(report.samples >= 2);
    },
  );

  await t.step("--server-sockets with captured ss output: the backlog from Send-Q", async () => {
    // The captured 20001: two ESTABLISHED server sockets, one never accepted.
    const watch = await watchServerSockets(remoteTarget("192.0.2.1", 20001), {
      serverSocketsCommand: CAT_SS,
    });
    assert.ok(watch instanceof SocketWatch);
    await watch.stop();
    const report = await watch.drain(300);
    assert.equal(report.server.ESTABLISHED.baseline, 2);
    assert.equal(report.server.CLOSE_WAIT.baseline, 0);
    assert.deepEqual(report.acceptQueue, {
      backlog: 5,
      baseline: 1,
      peak: 1,
      end: 1,
      drained: 1,
    });
  });

  await t.step("--server-sockets with a failing command: unavailable, with its error", async () => {
    const result = await watchServerSockets(remoteTarget("192.0.2.1", 20001), {
      serverSocketsCommand: "echo 'Permission denied (publickey)' >&2; exit 255",
    });
    assert.ok(!(result instanceof SocketWatch));
    assert.equal(result.available, false);
    assert.match(result.reason, /exited with code 255: Permission denied \(publickey\)$/);
    assert.equal(result.counters, null);
  });
});
