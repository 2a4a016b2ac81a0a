/**
 * The live status line: its words as pure functions, one draw per period
 * however many event loops report, and the real CLI on a pseudo-terminal
 * (util-linux `script`), stdout left to the report.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LoadProgressEvent } from "../../lib/engine/load.ts";
import { renderCaseLine, renderLoadStatus, StatusLine } from "../../lib/cli/status.ts";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";

const HAS_SCRIPT = new Deno.Command("sh", { args: ["-c", "command -v script"] }).outputSync()
  .success;

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
