/**
 * Entry of a generator process (see `generators.ts`): says "ready", reads its
 * share as one JSON line on stdin, runs it in this one process, and writes
 * progress lines and then its report as JSON lines on stdout. Stdin closing
 * (the parent stopped, or died) and SIGINT/SIGTERM stop the run; what was
 * measured is still reported. Started by `LoadRunner`; not for direct use.
 *
 * A raw share of one loop (what every generator gets on a machine with no
 * more cores than generators, e.g. 100,000 held connections over 6
 * generators on 2 cores) runs that loop on this process's main thread
 * (`generator_inline.ts`): no Web Worker, so one V8 isolate instead of two,
 * and none of `LoadRunner`'s modules. Any other share runs through
 * `LoadRunner`, loaded only then. An inline share also records its latency
 * histograms record-only (`histogram_mode.ts`): `hdr-histogram-js` is not
 * loaded (an npm package, with its share of Deno's Node compatibility
 * layer), ~7.5 MB VmRSS less per holding generator; the parent rebuilds them
 * exactly. With `--hlog` it keeps the library: per-second
 * histograms are merged and sealed here.
 *
 * @module
 */

import type { FromGenerator, GeneratorStart } from "./generators.ts";
import { recordOnlyHistograms } from "./histogram_mode.ts";
import { runsInline } from "./inline_share.ts";

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

  if (runsInline(start)) {
    // Before anything loads histogram.ts: hence the dynamic import.
    if (!start.session.intervalHistograms) recordOnlyHistograms();
    const { runInline } = await import("./generator_inline.ts");
    // The loop owns this thread: it watches stdin itself and writes its
    // lines synchronously (no event loop turns until it returns).
    const encoded = (message: FromGenerator) => encoder.encode(JSON.stringify(message) + "\n");
    const report = await runInline(start, {
      signal: stop.signal,
      progressEveryMs: PROGRESS_EVERY_MS,
      onProgress: (p) => writeAllSync(encoded({ kind: "progress", ...p })),
    });
    writeAllSync(encoded({ kind: "done", report }));
    Deno.exit(0);
  }
  const { loadOptionsOf } = await import("./generators.ts");
  const { LoadRunner } = await import("./runner.ts");
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

function writeAllSync(bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
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
