/**
 * `run SCENARIO HOST:PORT` end to end: the real CLI against real servers
 * (redis-server, reference servers in this process), with the scenario
 * modules of tests/fixtures/scenarios. Runs on the engine of SYNFIN_ENGINE,
 * as the rest of the suite.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { synfin } from "../support/cli.ts";
import { REDIS, REDIS_REQUIRED, withRedis } from "../support/redis.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
const QUICK = ["--no-census", "--json", "-"];

Deno.test({
  name: "run FILE: the README's redis scenario passes, its checks, mark and thresholds reported",
  ignore: !REDIS && !REDIS_REQUIRED,
  async fn() {
    assert.ok(REDIS, "redis-server is required (SYNFIN_REQUIRE_PEERS=1) but not installed");
    await withRedis(async (port) => {
      const run = await synfin(["run", fixture("redis_ping.ts"), `127.0.0.1:${port}`, "-n", "200"]
        .concat(["--json", "-"]));
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as LoadSummary & { thresholds: { passed: boolean }[] };
      assert.equal(summary.sessions, 200);
      assert.equal(summary.outcomes.clean, 200);
      assert.deepEqual(summary.checks, [{ name: "pong", passes: 200, fails: 0 }]);
      assert.equal(summary.marks?.pong.count, 200);
      assert.equal(summary.phases.firstByte.count, 200);
      assert.equal(summary.scenario?.name, fixture("redis_ping.ts"));
      // The module's four thresholds, evaluated on the run.
      assert.equal(summary.thresholds.length, 4);
      assert.ok(summary.thresholds.every((t) => t.passed));
    });
  },
});

Deno.test("run FILE: a check that fails its threshold exits 1 and the report shows the rate", async () => {
  // An echo server sends PING back: the check for +PONG fails every time.
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["run", fixture("redis_ping.ts"), server.target.label, "-n", "20"]
    .concat(["--no-census"]));
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /✗ pong\s+0 of 20\s+0\.00%/);
  assert.match(run.stdout, /FAIL\s+checks = 0% \(0 of 20\)/);
  assert.match(run.stderr, /FAIL: thresholds checks>99%/);
});

Deno.test("run FILE: a scenario's throw ends its session as error, grouped by message", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["run", fixture("throws_one_in_ten.ts"), server.target.label]
    .concat(["-n", "100", ...QUICK]));
  assert.equal(run.code, 1, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.sessions, 100);
  assert.equal(summary.outcomes.error, 10);
  assert.equal(summary.outcomes.clean, 90);
  assert.deepEqual(summary.scriptErrors, [{ message: "Error: no banner", count: 10 }]);
});

Deno.test("run FILE: tagged checks and marks are series of their own, filters pick them", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["run", fixture("tagged_echo.ts"), server.target.label, ...QUICK]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.sessions, 20);
  assert.deepEqual(
    summary.checks?.map((c) => [c.name, c.tags, c.passes, c.fails]),
    [["echo", { line: "a" }, 20, 0], ["echo", { line: "b" }, 20, 0]],
  );
  assert.deepEqual(Object.keys(summary.marks ?? {}).sort(), [
    "done",
    "echo{line:a}",
    "echo{line:b}",
  ]);
  assert.deepEqual(summary.tags, { suite: "fixtures" });
});

Deno.test("run FILE: flags override the module's options, --tag adds to its tags", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["run", fixture("tagged_echo.ts"), server.target.label, "-n", "7"]
    .concat(["--tag", "build=42", ...QUICK]));
  // The module's thresholds still hold the run to its 20 sessions.
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /FAIL: thresholds mark\.echo\{line:b\}\.count==20/);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.sessions, 7);
  assert.deepEqual(summary.tags, { suite: "fixtures", build: "42" });
});

Deno.test("run: what can be checked before the run is a usage error (exit 2), one line", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "synfin-run-" });
  const badType = `${dir}/bad_type.ts`;
  await Deno.writeTextFile(
    badType,
    `import type { Session } from "${new URL("../../mod.ts", import.meta.url).href}";\n` +
      "export default async function (session: Session) {\n" +
      '  const port: number = "8080";\n' +
      "  await session.connect();\n" +
      "  console.log(port);\n" +
      "}\n",
  );
  const cases: [string, string[], RegExp][] = [
    ["a type error names the file and line", [badType], /does not type-check: .*bad_type\.ts:3:9/],
    ["a missing file", ["nope.ts"], /Cannot load scenario nope\.ts: no such file/],
    ["a built-in's name misspelt", ["redis-pong"], /did you mean 'redis-ping'\?/],
    [
      "invalid options name the key",
      [fixture("bad_options.ts")],
      /Invalid options of scenario .*bad_options\.ts: "concurrency" is invalid/,
    ],
    ["no default export", [fixture("no_default.ts")], /has no default export function/],
    ["no scenario at all", [], /Missing scenario/],
    ["a bad tag", ["half-close", "--tag", "a b=1"], /Invalid --tag "a b=1"/],
  ];
  try {
    for (const [name, args, message] of cases) {
      await t.step(name, async () => {
        // Port 1: nothing may connect before the error.
        const run = await synfin(["run", ...args, "127.0.0.1:1"]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
        assert.equal(run.stdout, "");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("load --scenario NAME runs a built-in scenario: half-close finds the leak", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin(["load", "--scenario", "half-close", server.target.label, "-n", "5"]
    .concat(["--close-timeout", "300ms", ...QUICK]));
  assert.equal(run.code, 1, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.outcomes["no-fin"], 5);
  assert.equal(summary.scenario?.name, "half-close");
});

Deno.test("run abort: every session ends with our RST, which is not the server's failure", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["run", "abort", server.target.label, "-n", "10", ...QUICK]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.outcomes.aborted, 10);
});

Deno.test("run FILE: Ctrl+C stops sleeping sessions as interrupted and prints the report", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(
    ["run", fixture("sleeps.ts"), server.target.label, "-c", "4"]
      .concat(["-d", "30s", ...QUICK]),
    { signalAfterMs: 2500 },
  );
  assert.equal(run.code, 130, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.outcomes.interrupted, 4);
  assert.equal(summary.phases.handshake.count, 4);
});

Deno.test("a ramping stage shows in the JSON time series: sessions per second rise and fall", async () => {
  await using server = await startReferenceServer("well-behaved");
  // Each session dwells 100 ms: sessions per second follow the concurrency.
  const run = await synfin(["load", server.target.label, "--hold", "100ms"]
    .concat(["--stage", "2s:30", "--stage", "1s:30", "--stage", "2s:0", ...QUICK]));
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.load.concurrency, 30);
  assert.equal(summary.load.durationLimitMs, 5000);
  const started = summary.timeSeries.points.map((p) => p.started);
  const peak = started.indexOf(Math.max(...started));
  assert.ok(peak > 0 && peak < started.length - 1, `a peak inside the run: ${started}`);
  // Rising to the peak, falling after it (allowing one second of noise each way).
  assert.ok(started[0] < started[peak] / 2, `the first second is lower: ${started}`);
  assert.ok(
    started[started.length - 1] < started[peak] / 2,
    `the last second is lower: ${started}`,
  );
  assert.equal(started.reduce((a, b) => a + b, 0), summary.sessions);
});

Deno.test("a ramping arrival rate starts the stages' integral of sessions", async () => {
  await using server = await startReferenceServer("well-behaved");
  // 10/s -> 100/s over 1 s, then 100/s -> 0 over 1 s: 55 + 50 = 105 arrivals.
  const run = await synfin(["load", server.target.label, "-r", "10"]
    .concat(["--stage", "1s:100", "--stage", "1s:0", ...QUICK]));
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as LoadSummary;
  assert.equal(summary.intendedStarts, 105);
  assert.equal(summary.sessions + summary.droppedStarts, 105);
});

Deno.test("stages are checked before the run: a bad --stage, or --stage with -d, is exit 2", async () => {
  for (
    const [args, message] of [
      [["--stage", "5s"], /Invalid --stage "5s": give DURATION:TARGET/],
      [["--stage", "5s:10", "-d", "5s"], /Give --stage or --duration, not both/],
      [["--stage", "0s:10"], /Invalid --stage duration "0s"/],
    ] as const
  ) {
    const run = await synfin(["load", ...args, "127.0.0.1:1"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
  }
});

Deno.test("the same scenario gives the same outcome counts on both engines", async () => {
  await using server = await startReferenceServer("well-behaved");
  const counts = [];
  for (const engine of ["raw", "deno"]) {
    const run = await synfin(
      ["run", fixture("throws_one_in_ten.ts"), server.target.label, "-n", "40", "-c", "4"]
        .concat(["--close-timeout", "300ms", "--engine", engine, ...QUICK]),
    );
    assert.equal(run.code, 1, run.stderr);
    const summary = JSON.parse(run.stdout) as LoadSummary;
    assert.equal(summary.load.engine, engine);
    counts.push(summary.outcomes);
  }
  assert.deepEqual(counts[0], counts[1]);
  assert.equal(counts[0].error, 4);
  assert.equal(counts[0].clean, 36);
});

Deno.test("run --junit: the verdict and each threshold are test cases", async () => {
  await using server = await startReferenceServer("well-behaved");
  const dir = await Deno.makeTempDir({ prefix: "synfin-junit-" });
  try {
    const junit = `${dir}/report.xml`;
    const run = await synfin(["run", fixture("redis_ping.ts"), server.target.label, "-n", "5"]
      .concat(["--no-census", "--junit", junit]));
    assert.equal(run.code, 1, run.stderr);
    const xml = await Deno.readTextFile(junit);
    assert.match(xml, /<testcase classname="synfin\.run" name="run\/.*redis_ping\.ts"/);
    assert.match(xml, /<testsuite name="thresholds" tests="4" failures="1"/);
    assert.match(xml, /<failure message="checks = 0% \(0 of 5\), limit &gt; 99%/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a FIN then an RST before our FIN: server-closed-first on both engines, as load says", async () => {
  // closes-first closes at accept: its FIN, then an RST for our unread "hi".
  await using server = await startReferenceServer("closes-first");
  const runs = [];
  for (const [engine, scenario] of [["raw", true], ["deno", true], ["raw", false]] as const) {
    const run = await synfin(
      ["load", ...(scenario ? ["--scenario", "half-close"] : []), server.target.label]
        .concat(["--send", "hi", "-n", "10", "-c", "10", "--engine", engine, ...QUICK]),
    );
    const { outcomes } = JSON.parse(run.stdout) as LoadSummary;
    runs.push({ engine, scenario, code: run.code, outcomes });
  }
  // server-closed-first is no failure of the server's: exit 0 on each.
  const outcomes = { ...runs[2].outcomes, "server-closed-first": 10 };
  const expected = runs.map(({ engine, scenario }) => ({ engine, scenario, code: 0, outcomes }));
  assert.deepEqual(runs, expected);
});
