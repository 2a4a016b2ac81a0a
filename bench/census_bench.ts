/**
 * How fast the census parses a loaded host's socket table (`deno bench
 * bench/census_bench.ts`): 14,000 `/proc/net/tcp` rows, as the census reads
 * them 4 times a second during a run. The old target was well under 100 ms.
 *
 * @module
 */

import { parseProcNetTcp } from "../lib/census/proc_net_tcp.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../tests/fixtures/${name}`, import.meta.url));
const rows = (fixture("proc_net_tcp.txt") + fixture("proc_net_tcp6.txt"))
  .split("\n")
  .filter((line) => /^\s*\d+:/.test(line));
const header = fixture("proc_net_tcp.txt").split("\n")[0];
const body: string[] = [];
for (let i = 0; body.length < 14_000; i++) body.push(rows[i % rows.length]);
const table = `${header}\n${body.join("\n")}\n`;

Deno.bench("parseProcNetTcp, 14,000 rows", () => {
  if (parseProcNetTcp(table).length !== 14_000) throw new Error("lost rows");
});
