/**
 * Entry of a generator process (see `generators.ts`): says "ready", reads its
 * share as one JSON line on stdin, runs it with `LoadRunner` in this one
 * process, and writes progress lines and then its report as JSON lines on
 * stdout. Stdin closing (the parent stopped, or died) and SIGINT/SIGTERM
 * stop the run; what was measured is still reported. Started by
 * `LoadRunner`; not for direct use.
 *
 * @module
 */

import { type FromGenerator, type GeneratorStart, loadOptionsOf } from "./generators.ts";
import { LoadRunner } from "./runner.ts";

/** Progress lines at most this often: the parent samples, it need not see each event. */
const PROGRESS_EVERY_MS = 200;

if (import.meta.main) await main();

async function main(): Promise<void> {
  const encoder = new TextEncoder();
  let writing = Promise.resolve();
  const send = (message: FromGenerator) => {
    const bytes = encoder.encode(JSON.stringify(message) + "\n");
    writing = writing.then(() => writeAll(bytes));
    return writing;
  };
  const lines = readLines(Deno.stdin.readable);
  await send({ kind: "ready" });
  const first = await lines.next();
  if (first.done) return; // the parent stopped before the start: nothing to run
  const start = JSON.parse(first.value) as GeneratorStart;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, onSignal);
  // Stdin closing is the parent's stop; the read also ends if the parent dies.
  (async () => {
    for await (const _ of lines);
    stop.abort();
  })().catch(() => stop.abort());

  const runner = new LoadRunner(start.target, { ...loadOptionsOf(start), signal: stop.signal });
  let lastProgress = 0;
  runner.addEventListener("progress", ({ progress }) => {
    const now = performance.now();
    if (now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const { completed, failed, inFlight } = progress;
    send({ kind: "progress", completed, failed, inFlight });
  });
  const result = await runner.run();
  await send({
    kind: "done",
    report: {
      tally: result.tally.encode(),
      durationMs: result.durationMs,
      stoppedBy: result.stoppedBy,
      testerLimitErrno: result.testerLimitErrno,
      maxInFlightPerEventLoop: result.maxInFlightPerEventLoop,
      tester: result.tester,
    },
  });
  // The stdin reader would keep the process alive: the report is out, end.
  Deno.exit(0);
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  if (buffered !== "") yield buffered;
}
