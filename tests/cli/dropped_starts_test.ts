import assert from "node:assert/strict";
import { startReferenceServer } from "../../lib/testing/reference_servers.ts";
import { synfin } from "../support/cli.ts";

Deno.test("load: an open loop over its in-flight cap says how many starts it dropped, on stderr and in the JSON", async () => {
  await using server = await startReferenceServer("well-behaved");
  // 200/s for 0.5 s is 100 intended starts; 2 in flight holding 100 ms each
  // start about 10 of them.
  const args = ["load", "-r", "200", "-d", "500ms", "-c", "2", "--hold", "100ms", "--no-census"];
  const run = await synfin([...args, "--json", "-", server.target.label]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.ok(summary.droppedStarts > 50, `droppedStarts ${summary.droppedStarts}`);
  assert.equal(summary.sessions + summary.droppedStarts, summary.intendedStarts);
  assert.match(
    run.stderr,
    new RegExp(
      `^synfin: ${summary.droppedStarts} of ${summary.intendedStarts} intended starts ` +
        "dropped: the in-flight cap of 2 was reached$",
      "m",
    ),
  );

  const gated = await synfin([...args, "--threshold", "droppedStarts==0", server.target.label]);
  assert.equal(gated.code, 1, gated.stderr);
  assert.match(gated.stderr, /^synfin: FAIL: thresholds droppedStarts==0$/m);
});
