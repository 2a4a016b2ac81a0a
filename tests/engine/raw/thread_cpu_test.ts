import assert from "node:assert/strict";
import { openLibc } from "../../../lib/engine/raw/libc.ts";
import { loopCpuSince, threadCpuMs } from "../../../lib/engine/raw/thread_cpu.ts";

Deno.test("thread CPU: a busy thread is charged about its wall time, a waiting one almost none", async () => {
  const libc = openLibc();
  try {
    // Busy until the thread was charged 20 ms (preemption by other test
    // files only stretches the wall time): CPU never exceeds wall time.
    let [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
    while (threadCpuMs(libc)! - cpuStart! < 20 && performance.now() - wallStart < 5000) {
      Math.sqrt(wallStart);
    }
    const busy = loopCpuSince(libc, cpuStart, wallStart)!;
    assert.ok(busy.cpuMs >= 20 && busy.cpuMs <= busy.wallMs + 1, JSON.stringify(busy));
    [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = loopCpuSince(libc, cpuStart, wallStart)!;
    assert.ok(waiting.wallMs >= 45 && waiting.cpuMs < 10, JSON.stringify(waiting));
  } finally {
    libc.close();
  }
});
