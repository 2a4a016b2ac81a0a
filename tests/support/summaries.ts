/**
 * Real `load --json` summaries for the merge tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "./cli.ts";

/** Two generators' summaries of one server, through the CLI: 30 sessions (census on) and 10. */
export async function twoSummaries(dir: string): Promise<[string, string]> {
  await using server = await startReferenceServer("well-behaved");
  const a = `${dir}/a.json`, b = `${dir}/b.json`;
  const runs = await Promise.all([
    synfin(["load", "-n", "30", "-c", "3", "--drain", "300ms", "--json", a, server.target.label]),
    synfin(["load", "-n", "10", "-c", "2", "--no-census", "--json", b, server.target.label]),
  ]);
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  return [a, b];
}
