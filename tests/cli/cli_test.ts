import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

function oneLine(text: string): string {
  const lines = text.trim().split("\n");
  assert.equal(lines.length, 1, `expected one line, got: ${text}`);
  return lines[0];
}

/**
 * A run's stderr off a terminal: its one progress line (`synfin: ran …`)
 * first, then the verdict line, if any, last; returns that last line or "".
 */
function progressThenVerdict(text: string): string {
  const [progress, ...rest] = text.trim().split("\n");
  assert.match(progress, /^synfin: ran /, text);
  assert.ok(rest.length <= 1, `expected a progress line and a verdict, got: ${text}`);
  return rest[0] ?? "";
}

Deno.test("cli: a target that does not parse exits 2 with one line", async () => {
  const run = await synfin(["not-a-target"]);
  assert.equal(run.code, 2);
  assert.match(oneLine(run.stderr), /^synfin: Invalid target "not-a-target": no port/);
  assert.equal(run.stdout, "");
});

Deno.test("cli: a bad option value exits 2 naming the value", async () => {
  const run = await synfin(["-c", "0", "127.0.0.1:80"]);
  assert.equal(run.code, 2);
  assert.match(oneLine(run.stderr), /Invalid --concurrency "0"/);
});

Deno.test("cli: a refused port exits 3 with one line naming the errno", async () => {
  const run = await synfin(["127.0.0.1:1"]);
  assert.equal(run.code, 3);
  assert.equal(
    oneLine(run.stderr),
    "synfin: Cannot connect to 127.0.0.1:1: connection refused (ECONNREFUSED); " +
      "is the server running and listening on this port?",
  );
});

Deno.test("cli: an unresolvable host exits 3", async () => {
  const run = await synfin(["no-such-host.invalid:80"]);
  assert.equal(run.code, 3);
  assert.match(oneLine(run.stderr), /Cannot resolve no-such-host\.invalid:80: .*\(ENOTFOUND\)/);
});

Deno.test("cli: --help prints usage and the exit codes", async () => {
  const run = await synfin(["--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: deno run -P cli.ts/);
  assert.match(run.stdout, /130 interrupted/);
});

Deno.test("cli: a clean run exits 0 and prints the phase table and histograms", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["load", "-n", "300", "-c", "20", server.target.label]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    new RegExp(`^synfin ${server.target.label}  closed loop, concurrency 20`),
  );
  assert.match(run.stdout, /^300 sessions in /m);
  assert.match(run.stdout, /^handshake\s+300\s/m);
  assert.match(run.stdout, /^close\s+300\s/m);
  assert.match(run.stdout, /^ {2}clean\s+300\s+100\.00%/m);
  assert.match(run.stdout, /^handshake latency \(log-scaled buckets\)/m);
  // Off a terminal, one progress line at the end and nothing more.
  assert.equal(progressThenVerdict(run.stderr), "");
  assert.match(
    run.stderr,
    /^synfin: ran (\d+\.\ds|\d+ms) {2}300 started {2}300 \/ 300 finished {2}/,
  );
});

Deno.test("cli: a leaking server exits 1 and says why", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin(
    ["load", "-n", "20", "--close-timeout", "200ms", "--drain", "300ms", server.target.label],
  );
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^ {2}no-fin\s+20\s+100\.00%.*CLOSE_WAIT/m);
  assert.equal(
    progressThenVerdict(run.stderr),
    "synfin: FAIL: 20 of 20 sessions failed (no-fin 20)",
  );
});

Deno.test("cli: --json prints the versioned summary", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin([
    "load",
    "--json",
    "-",
    "-n",
    "100",
    "--send",
    "hi\\n",
    server.target.label,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.version, 1);
  assert.equal(summary.target, server.target.label);
  assert.equal(summary.sessions, 100);
  assert.equal(summary.outcomes.clean, 100);
  assert.equal(summary.outcomes.reset, 0);
  assert.equal(summary.phases.handshake.count, 100);
  assert.equal(summary.phases.firstByte.count, 100);
  assert.equal(summary.load.sendBytes, 3);
  assert.match(summary.phases.close.histogram, /^HISTF/);
  assert.deepEqual(summary.errors, []);
});

Deno.test("cli: Ctrl+C mid-run prints the partial report and exits 130", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(["load", "-d", "30s", "-c", "10", server.target.label], {
    signalAfterMs: 2500,
  });
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stdout, /stopped by signal/);
  assert.match(run.stdout, /^handshake\s+[\d,]+\s/m);
  assert.match(progressThenVerdict(run.stderr), /^synfin: interrupted/);
});

Deno.test("cli: running out of file descriptors exits 4 with advice", async () => {
  await using server = await startReferenceServer("leaky");
  const run = await synfin(
    ["load", "-c", "400", "-d", "5s", "--close-timeout", "3s", server.target.label],
    {
      ulimit: 256,
    },
  );
  assert.equal(run.code, 4, run.stderr);
  assert.match(run.stderr, /EMFILE.*lower --concurrency or raise `ulimit -n`/);
  assert.match(run.stdout, /tester-limit/);
});

Deno.test("cli: an unwritable --json path exits 2 and says why in errno words", async () => {
  await using server = await startReferenceServer("well-behaved");
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/no/such/dir/summary.json`;
    const run = await synfin(["load", "-n", "10", "--json", path, server.target.label]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, "", "checked before the run, so no result is lost after it");
    assert.equal(
      oneLine(run.stderr),
      `synfin: Cannot write --json ${path}: no such file or directory (ENOENT); ` +
        "give a writable path",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: demo takes no options", async () => {
  const run = await synfin(["demo", "--fast"]);
  assert.equal(run.code, 2);
  assert.equal(oneLine(run.stderr), "synfin: demo takes no options, got: --fast (see --help)");
});
