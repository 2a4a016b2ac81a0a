/**
 * End-to-end: `load --threshold` and `load --config` of the real CLI against
 * the reference servers: a threshold that holds exits 0, one that fails
 * exits 1 with its line, an unknown metric exits 2 before connecting, and a
 * config file's keys apply under the command line's.
 */
import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

/** A short load: a few sessions, no census (its drain would only slow the run). */
const SHORT = ["load", "-n", "20", "-c", "4", "--no-census", "--close-timeout", "300ms"];

async function withConfig<T>(config: unknown, body: (path: string) => Promise<T>): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(config));
    return await body(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("load --threshold: thresholds that hold exit 0 and show in the report", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin([
    ...SHORT,
    "--threshold",
    "handshake.p99<5s",
    "--threshold",
    "outcome.clean>=100%",
    server.target.label,
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^thresholds$/m);
  assert.match(run.stdout, /^ {2}PASS {2}handshake\.p99 = .*, limit < 5s: ok$/m);
  assert.match(run.stdout, /^ {2}PASS {2}outcome\.clean = 100% \(20 of 20\), limit >= 100%: ok$/m);
});

Deno.test("load --threshold: a failed threshold exits 1 with its line, in text and JSON", async () => {
  await using server = await startReferenceServer("well-behaved");
  const text = await synfin([...SHORT, "--threshold", "handshake.p99<1us", server.target.label]);
  assert.equal(text.code, 1, text.stdout + text.stderr);
  assert.match(text.stdout, /^ {2}FAIL {2}handshake\.p99 = .*, limit < 1us: over by .*$/m);
  assert.match(text.stderr, /^synfin: FAIL: thresholds handshake\.p99<1us$/m);
  const json = await synfin([
    ...SHORT,
    "--json",
    "-",
    "--threshold",
    "handshake.p99<1us",
    "--threshold",
    "sessions==20",
    server.target.label,
  ]);
  assert.equal(json.code, 1, json.stdout + json.stderr);
  const summary = JSON.parse(json.stdout);
  assert.deepEqual(
    summary.thresholds.map((
      t: { expression: string; passed: boolean },
    ) => [t.expression, t.passed]),
    [["handshake.p99<1us", false], ["sessions==20", true]],
  );
  assert.equal(summary.thresholds[1].message, "sessions = 20, limit == 20: ok");
});

Deno.test("load --threshold: outcome.no-fin==0 fails against the leaky server", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin([...SHORT, "--threshold", "outcome.no-fin==0", server.target.label]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /^ {2}FAIL {2}outcome\.no-fin = 20 of 20, limit == 0: over by 20$/m);
});

Deno.test("load --threshold: an unknown metric is a usage error before connecting", async () => {
  // Port 1 refuses: had it connected, the exit code would be 3, not 2.
  const run = await synfin([...SHORT, "--threshold", "handshake.p999<5ms", "127.0.0.1:1"]);
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /unknown metric "handshake\.p999"; did you mean "handshake\.p99\.9"\?/);
  await withConfig({ thresholds: ["close.p999<5ms"] }, async (path) => {
    const run = await synfin([...SHORT, "--config", path, "127.0.0.1:1"]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /^synfin: Invalid config .*: "thresholds" item 1 is invalid: .*did you mean "close\.p99\.9"\?/m,
    );
  });
});

Deno.test("load --config: the file's thresholds and settings apply; flags override them", async () => {
  await using server = await startReferenceServer("well-behaved");
  const config = { thresholds: ["handshake.p99<1us"], sessions: 12, concurrency: 3 };
  await withConfig(config, async (path) => {
    const run = await synfin([
      "load",
      "--no-census",
      "--json",
      "-",
      "--config",
      path,
      server.target.label,
    ]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.sessions, 12);
    assert.equal(summary.load.concurrency, 3);
    assert.equal(summary.thresholds[0].expression, "handshake.p99<1us");
    assert.equal(summary.thresholds[0].passed, false);
  });
  await withConfig({ sessions: 12, concurrency: 3, thresholds: ["sessions==5"] }, async (path) => {
    const run = await synfin([
      "load",
      "--no-census",
      "--json",
      "-",
      "--config",
      path,
      "-n",
      "5",
      server.target.label,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.sessions, 5);
    assert.equal(summary.load.concurrency, 3);
    assert.equal(summary.thresholds[0].passed, true);
  });
});
