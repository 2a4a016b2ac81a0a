/**
 * End-to-end: the conformance suite (`check`, the default command) of the
 * real CLI against the reference servers, with its CI outputs.
 */
import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

/** Short bounds so that each run takes a few seconds even against a leaky server. */
const FAST = [
  "-d",
  "1s",
  "--idle-bound",
  "1s",
  "--close-timeout",
  "300ms",
  "--drain",
  "500ms",
  "--burst",
  "64",
];

interface CaseJson {
  id: string;
  severity: string;
  verdict: string;
  expected: string;
  actual: string;
}

function verdicts(stdoutJson: string): Record<string, string> {
  const result = JSON.parse(stdoutJson);
  return Object.fromEntries(result.cases.map((c: CaseJson) => [c.id, c.verdict]));
}

Deno.test("check: a well-behaved server passes every MUST case and exits 0", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin([...FAST, server.target.label]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  for (
    const id of [
      "handshake/accepts",
      "handshake/burst",
      "close/answers-fin",
      "close/no-reset",
      "close/half-close",
      "close/server-time-wait",
      "abort/survives-reset",
      "linger/no-close-wait",
      "load/steady",
    ]
  ) {
    assert.match(run.stdout, new RegExp(`^PASS +(MUST|SHOULD) +${id} `, "m"), id);
  }
  assert.match(run.stdout, /^INFO +INFO +idle\/timeout +no idle timeout within/m);
  assert.match(run.stdout, /^PASS: 9 passed, 1 info$/m);
  // The histograms of the steady load and the socket report follow the table.
  assert.match(run.stdout, /^ {2}handshake latency \(log-scaled buckets\)/m);
  assert.match(run.stdout, /^ {2}findings$/m);
});

Deno.test("check: a leaky server fails close/answers-fin and linger/no-close-wait with counts", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin([...FAST, "--json", "-", server.target.label]);
  assert.equal(run.code, 1, run.stderr);
  const result = JSON.parse(run.stdout);
  const byId = Object.fromEntries(result.cases.map((c: CaseJson) => [c.id, c]));
  assert.equal(byId["close/answers-fin"].verdict, "FAIL");
  assert.equal(
    byId["close/answers-fin"].actual,
    "0 of 200 sessions got the server's FIN; 200 never got it within 300us".replace(
      "300us",
      "300ms",
    ),
  );
  assert.equal(byId["linger/no-close-wait"].verdict, "FAIL");
  assert.match(
    byId["linger/no-close-wait"].actual,
    /^200 left after a 0\.\ds drain \(200 accepted and never closed by the handler, 0 never accepted\); 200 sessions got no FIN$/,
  );
  assert.equal(byId["handshake/accepts"].verdict, "PASS");
  assert.equal(result.passed, false);
  assert.match(run.stderr, /^synfin: FAIL: .*failed: cases close\/answers-fin, /m);
});

Deno.test("check: a resetting server fails close/no-reset", async () => {
  await using server = await startReferenceServer("reset");
  const run = await synfin([...FAST, "--case", "close/", "--json", "-", server.target.label]);
  assert.equal(run.code, 1, run.stderr);
  const v = verdicts(run.stdout);
  assert.equal(v["close/no-reset"], "FAIL");
  assert.equal(v["close/server-time-wait"], "PASS");
});

Deno.test("check: a server that closes first gets a WARN, and fails only with --strict", async () => {
  await using server = await startReferenceServer("closes-first");
  const args = [...FAST, "--case", "close/", "--json", "-", server.target.label];
  const run = await synfin(args);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  const timeWait = result.cases.find((c: CaseJson) => c.id === "close/server-time-wait");
  assert.equal(timeWait.verdict, "WARN");
  // Slightly under 200 at times: a new connection whose 4-tuple matches a
  // server-side TIME_WAIT left by an earlier case takes that socket over.
  assert.match(
    timeWait.actual,
    /^the server closed first in 200 of 200 sessions \(100\.0%\); (19\d|200) server-side TIME_WAIT sockets$/,
  );
  const strict = await synfin(["--strict", ...args]);
  assert.equal(strict.code, 1);
  assert.equal(verdicts(strict.stdout)["close/server-time-wait"], "FAIL");
});

Deno.test("check: --list prints every case without connecting", async () => {
  const run = await synfin(["--list"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 10);
  assert.match(lines[0], /^handshake\/accepts +MUST +The server completes the handshake/);
  assert.match(run.stdout, /^close\/server-time-wait +SHOULD +/m);
  assert.match(run.stdout, /^idle\/timeout +INFO +/m);
});

Deno.test("check: --case and --skip select cases by ID or group", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin([
    ...FAST,
    "--case",
    "close/",
    "--case",
    "handshake/accepts",
    "--skip",
    "close/half-close",
    "--json",
    "-",
    server.target.label,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(Object.keys(verdicts(run.stdout)), [
    "handshake/accepts",
    "close/answers-fin",
    "close/no-reset",
    "close/server-time-wait",
  ]);
  const unknown = await synfin(["--case", "close/typo", server.target.label]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^synfin: Unknown case "close\/typo" in --case/);
});

Deno.test("check: --junit writes XML a JUnit parser reads back", async () => {
  await using server = await startReferenceServer("leaky");
  const dir = await Deno.makeTempDir();
  try {
    const junit = `${dir}/synfin.xml`;
    const run = await synfin([
      ...FAST,
      "--case",
      "close/",
      "--case",
      "linger/",
      "--threshold",
      "server.closeWait==0",
      "--junit",
      junit,
      server.target.label,
    ]);
    assert.equal(run.code, 1, run.stderr);
    const xml = await Deno.readTextFile(junit);
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    const suites = [doc.testsuites.testsuite].flat();
    assert.deepEqual(suites.map((s: { name: string }) => s.name), [
      "close",
      "linger",
      "thresholds",
    ]);
    type TestCase = { name: string; failure?: unknown };
    const cases: TestCase[] = suites.flatMap((s: { testcase: TestCase | TestCase[] }) =>
      [s.testcase].flat()
    );
    assert.equal(cases.length, 6);
    const failed = cases.filter((c) => c.failure !== undefined).map((c) => c.name);
    assert.deepEqual(failed, [
      "close/answers-fin",
      "close/half-close",
      "linger/no-close-wait",
      "server.closeWait==0",
    ]);
    assert.equal(doc.testsuites.failures, "4");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check: thresholds fail the run and say by how much; a bad one exits 2", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin([
    ...FAST,
    "--case",
    "load/",
    "--threshold",
    "handshake.p99<1us",
    "--threshold",
    "outcome.reset<0.1%",
    server.target.label,
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^ {2}FAIL {2}handshake\.p99 = [\d.]+(us|ms), limit < 1us: over by /m);
  assert.match(run.stdout, /^ {2}PASS {2}outcome\.reset = 0(\.00)?% \(0 of \d+\), limit < 0\.1%/m);
  assert.match(run.stderr, /failed: thresholds handshake\.p99<1us$/m);

  const bad = await synfin(["--threshold", "handshake.p99<<5ms", server.target.label]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^synfin: Invalid threshold "handshake\.p99<<5ms"/);
});

Deno.test("check: a config file supplies the target, cases and thresholds", async () => {
  await using server = await startReferenceServer("well-behaved");
  const config = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        target: server.target.label,
        cases: ["close/no-reset"],
        thresholds: ["handshake.count>=1"],
        closeTimeout: "300ms",
      }),
    );
    const run = await synfin(["--config", config, "--json", "-"]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.target, server.target.label);
    assert.deepEqual(result.cases.map((c: CaseJson) => c.id), ["close/no-reset"]);
    assert.equal(result.thresholds[0].expression, "handshake.count>=1");
    assert.equal(result.thresholds[0].passed, true);
    assert.equal(result.lifecycle.load.closeTimeoutMs, 300);

    await Deno.writeTextFile(config, '{"thresholds": ["handshake.p99 5ms"]}');
    const bad = await synfin(["--config", config, server.target.label]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^synfin: Invalid config .*"thresholds" item 1 is invalid/);
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("check: GITHUB_ACTIONS=true adds ::error:: annotations for failures", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin([...FAST, "--case", "close/answers-fin", server.target.label], {
    env: { GITHUB_ACTIONS: "true" },
  });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^::error title=synfin close\/answers-fin::After our FIN/m);
});

Deno.test("check: running out of file descriptors exits 4, not as the server's failure", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin(
    [
      "--case",
      "load/steady",
      "-c",
      "400",
      "-d",
      "3s",
      "--close-timeout",
      "3s",
      server.target.label,
    ],
    { ulimit: 256 },
  );
  assert.equal(run.code, 4, run.stdout + run.stderr);
  // The progress line (off a terminal), then the verdict, last.
  assert.match(
    run.stderr,
    /^synfin: ran 1 case in [\d.]+s {2}SKIP 1\nsynfin: tester limit: synfin ran out of file descriptors \(EMFILE, \d+ times?\): raise `ulimit -n`/,
  );
  assert.match(run.stdout, /^SKIP\s+MUST\s+load\/steady\s+skipped: tester limit: /m);
  assert.match(run.stdout, /tester-limit/);
});
