/**
 * `--tls` end to end: the real CLI against the TLS servers of
 * tests/support/tls_server.ts (certificates in tests/fixtures/tls). The raw
 * engine does not do TLS: with SYNFIN_ENGINE=raw (a default, not a demand)
 * the run falls back to the deno engine and says so in one line.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type CliRun, synfin } from "../support/cli.ts";
import { startTlsServer, TEST_CA_FILE } from "../support/tls_server.ts";
import type { LoadSummary } from "../../lib/census/load_summary.ts";

const QUICK = ["--no-census", "--json", "-"];
const TLS = ["--tls", "--tls-ca", TEST_CA_FILE];
const FALLBACK = "synfin: using --engine deno: the raw engine does not do TLS";
const README = fileURLToPath(new URL("../fixtures/tls/README.md", import.meta.url));
const LINE_SCENARIO = fileURLToPath(new URL("../fixtures/tls/line_scenario.ts", import.meta.url));

type Summary = LoadSummary & { thresholds?: { expression: string; passed: boolean }[] };

function summaryOf(run: CliRun): Summary {
  assert.ok(run.stdout.trim().startsWith("{"), run.stdout + run.stderr);
  return JSON.parse(run.stdout);
}

/** The fallback line, once unless SYNFIN_ENGINE asks for the deno engine. */
function assertFallbackSaid(run: CliRun, env = Deno.env.get("SYNFIN_ENGINE")): void {
  const said = run.stderr.split("\n").filter((line) => line === FALLBACK).length;
  assert.equal(said, env === "deno" ? 0 : 1, run.stderr);
}

/** Asserts exit 2 with one stderr line matching `message`. */
function assertUsage(run: CliRun, message: RegExp): void {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `not one line:\n${run.stderr}`);
  assert.match(lines[0], message);
}

Deno.test("load --tls: 20 clean sessions, the tls phase timed 20 times, 20 close_notify", async () => {
  await using server = await startTlsServer("close-notify");
  const run = await synfin(["load", ...TLS, "-n", "20", "-c", "4", ...QUICK, server.address]);
  assert.equal(run.code, 0, run.stderr);
  const summary = summaryOf(run);
  assert.equal(summary.outcomes.clean, 20);
  assert.equal(summary.phases.handshake.count, 20);
  assert.equal(summary.phases.tls.count, 20);
  assert.ok(summary.phases.tls.p50Us > 0);
  assert.deepEqual(summary.tls, { closeNotify: 20, bareFin: 0 });
  assert.deepEqual(summary.errors, []);
  assert.equal(summary.load.engine, "deno");
  assert.equal(server.clientCloseNotify, 20, "each of our FINs came after our close_notify");
  assertFallbackSaid(run);
});

Deno.test("load --tls, default engine: one fallback line, the deno engine runs", async () => {
  await using server = await startTlsServer("close-notify");
  const run = await synfin(["load", ...TLS, "-n", "4", ...QUICK, server.address], {
    env: { SYNFIN_ENGINE: "" },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(summaryOf(run).load.engine, "deno");
  assertFallbackSaid(run, "");
});

Deno.test("load --tls: a server closing with a bare FIN is clean, counted bareFin, threshold fails", async () => {
  await using server = await startTlsServer("bare-fin");
  const run = await synfin([
    "load",
    ...TLS,
    "-n",
    "20",
    "-c",
    "4",
    "--threshold",
    "tls.bareFin==0",
    ...QUICK,
    server.address,
  ]);
  const summary = summaryOf(run);
  assert.equal(summary.outcomes.clean, 20);
  assert.deepEqual(summary.tls, { closeNotify: 0, bareFin: 20 });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /FAIL: thresholds tls\.bareFin==0/);
});

Deno.test("load --tls: a certificate the CA did not sign fails every session in the tls phase", async () => {
  await using server = await startTlsServer("untrusted");
  const run = await synfin(["load", ...TLS, "-n", "20", "-c", "4", ...QUICK, server.address]);
  assert.equal(run.code, 1, run.stderr);
  const summary = summaryOf(run);
  assert.equal(summary.outcomes.error, 20);
  assert.deepEqual(summary.errors, [{ phase: "tls", errno: "ETLSCERT", count: 20 }]);
  assert.equal(summary.phases.handshake.count, 20, "the TCP handshakes completed");
  assert.equal(summary.phases.tls.count, 0);
  assert.equal(server.handshakes, 0);
});

Deno.test("load --tls --engine raw: a usage error before anything connects", async () => {
  await using server = await startTlsServer("close-notify");
  const run = await synfin([
    "load",
    ...TLS,
    "--engine",
    "raw",
    "-n",
    "4",
    ...QUICK,
    server.address,
  ]);
  assertUsage(run, /--engine raw with --tls: the raw engine does not do TLS/);
  assert.equal(server.handshakes, 0);
});

Deno.test("load --tls-ca: without --tls, a missing file, a file with no certificate: usage errors", async () => {
  await using server = await startTlsServer("close-notify");
  const target = server.address;
  assertUsage(
    await synfin(["load", "--tls-ca", TEST_CA_FILE, ...QUICK, target]),
    /--tls-ca needs --tls/,
  );
  assertUsage(
    await synfin(["load", "--tls", "--tls-ca", "/nonexistent/ca.pem", ...QUICK, target]),
    /Cannot read --tls-ca \/nonexistent\/ca\.pem: no such file/,
  );
  assertUsage(
    await synfin(["load", "--tls", "--tls-ca", README, ...QUICK, target]),
    /Invalid --tls-ca .*README\.md: no PEM certificate in it/,
  );
  assert.equal(server.handshakes, 0);
});

Deno.test("load: the config file's tls, tlsCa and tlsServername turn TLS on", async () => {
  await using server = await startTlsServer("close-notify");
  const config = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      config,
      JSON.stringify({ tls: true, tlsCa: TEST_CA_FILE, tlsServername: "localhost" }),
    );
    const run = await synfin(["load", "--config", config, "-n", "5", ...QUICK, server.address]);
    assert.equal(run.code, 0, run.stderr);
    const summary = summaryOf(run);
    assert.equal(summary.phases.tls.count, 5);
    assert.deepEqual(summary.tls, { closeNotify: 5, bareFin: 0 });
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("run FILE --tls: a scenario writes a line and reads it back over TLS", async () => {
  await using server = await startTlsServer("close-notify");
  const run = await synfin(["run", LINE_SCENARIO, server.address, ...TLS, "-n", "10", "-c", "2"]
    .concat(QUICK));
  assert.equal(run.code, 0, run.stderr);
  const summary = summaryOf(run);
  assert.equal(summary.outcomes.clean, 10);
  assert.deepEqual(summary.checks, [{ name: "echoed", passes: 10, fails: 0 }]);
  assert.equal(summary.phases.tls.count, 10);
  assert.equal(summary.phases.firstByte.count, 10);
  assert.deepEqual(summary.tls, { closeNotify: 10, bareFin: 0 });
  assertFallbackSaid(run);
});

Deno.test("run FILE --tls: an untrusted certificate fails the scripted sessions in the tls phase", async () => {
  await using server = await startTlsServer("untrusted");
  const run = await synfin(["run", LINE_SCENARIO, server.address, ...TLS, "-n", "5"]
    .concat(QUICK));
  assert.equal(run.code, 1, run.stderr);
  const summary = summaryOf(run);
  assert.equal(summary.outcomes.error, 5);
  assert.deepEqual(summary.errors, [{ phase: "tls", errno: "ETLSCERT", count: 5 }]);
  assert.equal(summary.phases.handshake.count, 5);
});
