/**
 * CPU time of the calling thread, `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`:
 * a raw loop owns its thread, so its CPU over its wall time says whether
 * synfin itself was the bottleneck (a loop at a whole core cannot go
 * faster, whatever the server does).
 *
 * @module
 */

import type { Libc } from "./libc.ts";
import type { EventLoopCpu } from "../load.ts";

/** `CLOCK_THREAD_CPUTIME_ID` in `<time.h>` (Linux). */
const CLOCK_THREAD_CPUTIME_ID = 3;

/**
 * CPU time the calling thread has used so far, ms; `null` if the clock
 * cannot be read.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { threadCpuMs } from "./thread_cpu.ts";
 * const libc = openLibc();
 * const before = threadCpuMs(libc)!;
 * let now = before;
 * const giveUp = performance.now() + 5000;
 * while (now - before < 5 && performance.now() < giveUp) now = threadCpuMs(libc)!; // busy
 * console.assert(now - before >= 5, "a busy thread is charged the CPU it used");
 * libc.close();
 * ```
 */
export function threadCpuMs(libc: Libc): number | null {
  const clock = new BigInt64Array(2); // struct timespec: tv_sec, tv_nsec
  if (libc.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, new Uint8Array(clock.buffer)) !== 0) {
    return null;
  }
  return Number(clock[0]) * 1000 + Number(clock[1]) / 1e6;
}

/**
 * The calling thread's CPU and the wall time since `cpuStart` and
 * `wallStart` (a {@link threadCpuMs} and a `performance.now()` taken
 * together); `null` if either CPU reading failed.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import { loopCpuSince, threadCpuMs } from "./thread_cpu.ts";
 * const libc = openLibc();
 * const [cpuStart, wallStart] = [threadCpuMs(libc), performance.now()];
 * await new Promise((resolve) => setTimeout(resolve, 20)); // idle: no CPU
 * const cpu = loopCpuSince(libc, cpuStart, wallStart)!;
 * console.assert(cpu.wallMs >= 19 && cpu.cpuMs < cpu.wallMs);
 * libc.close();
 * ```
 */
export function loopCpuSince(
  libc: Libc,
  cpuStart: number | null,
  wallStart: number,
): EventLoopCpu | null {
  const cpuEnd = threadCpuMs(libc);
  const wallMs = performance.now() - wallStart;
  return cpuStart === null || cpuEnd === null ? null : { cpuMs: cpuEnd - cpuStart, wallMs };
}
