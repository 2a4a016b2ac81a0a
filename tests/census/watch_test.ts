/**
 * Tests for lib/census/watch.ts, against the reference servers on loopback
 * (the local /proc table) and against captured tables read by a command
 * (the `--server-sockets` path). The source choice (watchServerSockets) is
 * tested in with_census_test.ts.
 */

import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { CENSUS_STATES } from "../../lib/census/census.ts";
import { commandSocketSource, localSocketSource } from "../../lib/census/source.ts";
import { SocketTableUnavailableError } from "../../lib/base/errors.ts";
import { HALF_OPEN_AFTER_MS } from "../../lib/census/socket_report.ts";
import { SocketWatch } from "../../lib/census/watch.ts";
import { CAT_PROC, changedStates, halfCloseSessions, N, sleep } from "./watch_fixtures.ts";

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
  // Each of those holds a client port toward the server port.
  const { atMs, ...ports } = report.testerPorts!;
  assert.deepEqual(ports, {
    peak: N,
    address: "127.0.0.1",
    port: server.target.port,
    source: "127.0.0.1",
  });
  assert.ok(atMs >= 0, `at ${atMs} ms`);

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
