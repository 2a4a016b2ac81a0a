/** Helpers of the census watch tests: captured tables read by a command, scripted sessions. */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CENSUS_STATES } from "../../lib/census/census.ts";
import type { SocketReport } from "../../lib/census/socket_report.ts";
import type { Target } from "../../lib/base/target.ts";

/** A fixture file's path. */
const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Prints the captured /proc/net/tcp{,6} tables. */
export const CAT_PROC: string = `cat '${fixturePath("proc_net_tcp.txt")}' '${
  fixturePath("proc_net_tcp6.txt")
}'`;
/** Prints the captured `ss -tan` table. */
export const CAT_SS: string = `cat '${fixturePath("ss_tan.txt")}'`;

/** Waits `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Connections per scripted run. */
export const N = 20;

/**
 * Opens `n` connections to `port`, half-closes each (our FIN), waits for the
 * server to answer or not, then closes them.
 */
export async function halfCloseSessions(port: number, n: number): Promise<void> {
  const conns = await Promise.all(
    Array.from({ length: n }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  try {
    for (const conn of conns) await conn.closeWrite();
    await sleep(200);
  } finally {
    for (const conn of conns) conn.close();
  }
}

/** States whose track is not all zeros, for compact comparisons. */
export function changedStates(tracks: SocketReport["server"] | null): string[] {
  assert.ok(tracks);
  return CENSUS_STATES.filter((state) => {
    const t = tracks[state];
    return t.peak !== 0 || t.end !== 0 || t.drained !== 0;
  });
}

/** A target on another host. */
export const remoteTarget = (hostname: string, port: number): Target => ({
  hostname,
  port,
  label: `${hostname}:${port}`,
});
