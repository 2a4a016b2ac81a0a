/**
 * The live status line: its words as pure functions, one draw per period
 * however many event loops report, and the real CLI on a pseudo-terminal
 * (util-linux `script`), stdout left to the report; off a terminal, one
 * line at the end, before the verdict, and none for bad input.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LoadProgressEvent } from "../../lib/engine/load.ts";
import {
  renderCaseLine,
  renderLoadStatus,
  shortLatency,
  StatusLine,
} from "../../lib/cli/status.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

const HAS_SCRIPT = new Deno.Command("sh", { args: ["-c", "command -v script"] }).outputSync()
  .success;

/** A run without a planned duration says milliseconds under a second. */
const ranFor = (ms: number) => ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;

Deno.test("status: a load's line has elapsed/planned, rate, in flight, outcomes, p99, time left", () => {
  const line = renderLoadStatus(
    {
      completed: 2500,
      failed: 20,
      inFlight: 100,
      elapsedMs: 2500,
      outcomes: { clean: 2480, "no-fin": 20 } as never,
      handshakeP99Us: 830,
    },
    { durationMs: 10_000, sessions: null },
    1000,
  );
  assert.equal(
    line,
    "2.5s / 10.0s  2,500 sessions  1,000/s  100 in flight  no-fin 20  clean 2,480  " +
      "handshake p99 830us  7.5s left",
  );
  // A session bound: the time left comes from the rate.
  assert.equal(
    renderLoadStatus({ completed: 100, failed: 0, inFlight: 4, elapsedMs: 1000 }, {
      durationMs: null,
      sessions: 300,
    }, 100),
    "1.0s  100 / 300 sessions  100/s  4 in flight  2.0s left",
  );
});

Deno.test("status: reports of several event loops draw one line per period, with the rate", () => {
  const drawn: string[] = [];
  const status = new StatusLine(true, (text) => drawn.push(text));
  const listener = status.loadProgress({ durationMs: 4000, sessions: null });
  // Two loops each report every 250 ms, a few ms apart: four reports in 500 ms.
  for (const [elapsedMs, completed] of [[250, 100], [252, 200], [500, 300], [503, 400]]) {
    listener(new LoadProgressEvent({ completed, failed: 0, inFlight: 10, elapsedMs }));
  }
  assert.equal(drawn.length, 2, drawn.join("|"));
  assert.ok(drawn.every((text) => text.startsWith("\r\x1b[K")));
  assert.match(
    drawn[0].replace("\x1b[K", "<EL>"),
    /^\r<EL>0\.3s \/ 4\.0s {2}100 sessions {2}10 in flight/,
  );
  assert.match(drawn[1], /0\.5s \/ 4\.0s {2}300 sessions {2}800\/s {2}10 in flight/);
  const quiet = new StatusLine(false, () => assert.fail("drawn on a non-terminal"));
  quiet.loadProgress({ durationMs: null, sessions: null })(
    new LoadProgressEvent({ completed: 1, failed: 0, inFlight: 0, elapsedMs: 300 }),
  );
  quiet.print("x");
});

Deno.test("status: a finished case's line", () => {
  assert.equal(
    renderCaseLine({
      id: "close/answers-fin",
      severity: "MUST",
      requirement: "",
      verdict: "FAIL",
      expected: "",
      actual: "0 of 200 sessions got the server's FIN",
      durationMs: 2040,
    }),
    "FAIL  MUST    close/answers-fin  0 of 200 sessions got the server's FIN (2.0s)",
  );
});

/** Runs the CLI with stderr on a pseudo-terminal and stdout to a file; returns both. */
async function onTerminal(args: string[]): Promise<{ code: number; tty: string; stdout: string }> {
  const out = await Deno.makeTempFile();
  const cli = fileURLToPath(new URL("../../cli.ts", import.meta.url));
  const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
  const quoted = [Deno.execPath(), "run", "-q", "-P=test", "--config", config, cli, ...args]
    .map((word) => `'${word}'`).join(" ");
  try {
    const run = await new Deno.Command("script", {
      args: ["-qfec", `${quoted} >'${out}'`, "/dev/null"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: run.code,
      // Erase-to-end-of-line as a word: the lint rule keeps control codes out of regexps.
      tty: new TextDecoder().decode(run.stdout).replaceAll("\x1b[K", "<EL>"),
      stdout: await Deno.readTextFile(out),
    };
  } finally {
    await Deno.remove(out);
  }
}

Deno.test({
  name: "status: on a terminal, load draws its progress on stderr and stdout has only the report",
  ignore: !HAS_SCRIPT,
  async fn() {
    await using server = await startReferenceServer("well-behaved");
    const run = await onTerminal(
      ["load", "--rate", "400", "-d", "1.5s", "--no-census", server.target.label],
    );
    assert.equal(run.code, 0, run.tty);
    assert.match(
      run.tty,
      /\r<EL>\d\.\ds \/ 1\.5s {2}\d[\d,]* sessions {2}\d[\d,]*\/s {2}\d+ in flight {2}clean \d/,
    );
    assert.match(run.tty, /handshake p99 \d/);
    assert.ok(!run.stdout.includes("\x1b"), "no terminal codes in the report");
    assert.match(run.stdout, /^handshake\s+\d+\s/m);
  },
});

Deno.test({
  name: "status: on a terminal, check prints each case's verdict as it finishes",
  ignore: !HAS_SCRIPT,
  async fn() {
    await using server = await startReferenceServer("well-behaved");
    const run = await onTerminal([
      "check",
      ...["--case", "handshake/accepts", "--case", "close/no-reset", "--no-census"],
      server.target.label,
    ]);
    assert.equal(run.code, 0, run.tty);
    assert.match(run.tty, /\r<EL>PASS {2}MUST {4}handshake\/accepts {2}20 of 20 completed/);
    assert.match(run.tty, /\r<EL>PASS {2}MUST {4}close\/no-reset {2}/);
    assert.ok(!run.stdout.includes("\x1b"));
  },
});

/** Stderr's lines, without the empty last one. */
const linesOf = (stderr: string) => stderr.split("\n").filter((line) => line !== "");

Deno.test("status: off a terminal, load prints one progress line at the end; stdout is the report", async () => {
  await using server = await startReferenceServer("well-behaved");
  const run = await synfin(
    ["load", "-n", "200", "-c", "10", "--no-census", "--json", "-", server.target.label],
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.sessions, 200);
  const lines = linesOf(run.stderr);
  assert.equal(lines.length, 1, run.stderr);
  assert.equal(
    lines[0],
    `synfin: ran ${ranFor(summary.durationMs)}  200 started  200 / 200 finished  ` +
      `${summary.sessionsPerSecond.toLocaleString("en-US")}/s  clean 200  ` +
      `handshake p99 ${shortLatency(summary.phases.handshake.p99Us)}`,
  );
});

Deno.test("status: off a terminal, a failing load's progress line comes before its verdict", async () => {
  await using server = await startReferenceServer("resets-at-accept");
  const run = await synfin(["load", "-n", "20", "-c", "4", "--no-census", server.target.label]);
  assert.equal(run.code, 1, run.stderr);
  const lines = linesOf(run.stderr);
  assert.equal(lines.length, 2, run.stderr);
  assert.match(
    lines[0],
    /^synfin: ran (\d\.\ds|\d+ms) {2}20 started {2}20 \/ 20 finished {2}[\d,]+\/s {2}reset 20/,
  );
  assert.match(lines[1], /^synfin: FAIL: 20 of 20 sessions failed \(reset 20\)/);
  assert.doesNotMatch(run.stdout, /synfin: ran/, "stdout has the report only");
});

Deno.test("status: off a terminal, check, backlog and idle print one progress line at the end", async () => {
  await using server = await startReferenceServer("well-behaved");
  const target = server.target.label;
  const check = await synfin(["check", "--case", "handshake/accepts", "--no-census", target]);
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(linesOf(check.stderr).map((l) => l.replace(/in \d+\.\ds/, "in Ts")), [
    "synfin: ran 1 case in Ts  PASS 1",
  ]);
  const backlog = await synfin(
    ["backlog", "--burst", "8", "--no-refine", "--drain", "200ms", "--hold", "200ms", target],
  );
  assert.equal(backlog.code, 0, backlog.stderr);
  assert.deepEqual(linesOf(backlog.stderr).map((l) => l.replace(/in \d+\.\ds/, "in Ts")), [
    `synfin: ran 1 burst of 8 connects against ${target} in Ts  first SYN 8`,
  ]);
  const idle = await synfin(["idle", "--connections", "2", "--bound", "300ms", target]);
  assert.equal(idle.code, 0, idle.stderr);
  assert.deepEqual(linesOf(idle.stderr).map((l) => l.replace(/^synfin: ran \S+/, "ran T")), [
    "ran T / 0.3s  2 of 2 connections opened  still open 2",
  ]);
});

Deno.test("status: bad input is one line on stderr and no progress line (nothing ran)", async () => {
  for (
    const args of [
      ["load", "-c", "0", "127.0.0.1:80"],
      ["run", "no-such-scenario.ts", "127.0.0.1:80"],
      ["check", "--case", "close/typo", "127.0.0.1:80"],
      ["backlog", "--burst", "x", "127.0.0.1:80"],
      ["idle", "--connections", "0", "127.0.0.1:80"],
      ["merge"],
    ]
  ) {
    const run = await synfin(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    const lines = linesOf(run.stderr);
    assert.equal(lines.length, 1, `${args.join(" ")}: ${run.stderr}`);
    assert.doesNotMatch(lines[0], /^synfin: ran /);
    assert.equal(run.stdout, "");
  }
});
