import assert from "node:assert/strict";
import { delay } from "../../lib/base/delay.ts";

Deno.test("delay waits about the time asked", async () => {
  const start = performance.now();
  await delay(50);
  assert.ok(performance.now() - start >= 45, "returned early");
});

Deno.test("delay resolves as soon as its signal aborts, and leaves no timer behind", async () => {
  const stop = new AbortController();
  const start = performance.now();
  const waiting = delay(60_000, { signal: stop.signal });
  setTimeout(() => stop.abort(), 20);
  await waiting;
  // The sanitizer fails this test if the 60 s timer were still pending.
  assert.ok(performance.now() - start < 10_000);
  const aborted = AbortSignal.abort();
  await delay(60_000, { signal: aborted });
});
