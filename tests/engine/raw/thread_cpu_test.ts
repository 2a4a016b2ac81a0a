import assert from "node:assert/strict";
import { openLibc } from "../../../lib/engine/raw/libc.ts";
import { loopCpuSince, threadCpuMs } from "../../../lib/engine/raw/thread_cpu.ts";

Deno.test("thread CPU: a busy thread is charged about its wall time, a waiting one almost none", async () => {
  const libc = openLibc();
  try {
    let [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
    const until = performance.now() + 50;
    while (performance.now() < until) Math.sqrt(until);
    const busy = loopCpuSince(libc, cpuStart, wallStart)!;
    assert.ok(busy.cpuMs > 25 && busy.cpuMs <= busy.wallMs + 2, JSON.stringify(busy));
    [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = loopCpuSince(libc, cpuStart, wallStart)!;
    assert.ok(waiting.wallMs >= 45 && waiting.cpuMs < 10, JSON.stringify(waiting));
  } finally {
    libc.close();
  }
});
