/**
 * Tests for lib/engine/raw/block_policy.ts: blocking stops after four
 * blocks in a row woke nothing, for longer each time, and a block that
 * wakes a wait starts over.
 *
 * @module
 */

import assert from "node:assert/strict";
import { BlockPolicy } from "../../../lib/engine/raw/block_policy.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("block policy: four misses in a row park for 100 ms, then longer; a wake starts over", async () => {
  const policy = new BlockPolicy(1);
  for (let i = 0; i < 3; i++) policy.missed();
  policy.woke(); // not four in a row
  policy.missed();
  assert.ok(policy.mayBlock(Infinity), "three misses, a wake, a miss: still blocking");
  for (let i = 0; i < 3; i++) policy.missed();
  assert.equal(policy.mayBlock(Infinity), false, "four in a row: parking");
  await sleep(120);
  assert.ok(policy.mayBlock(Infinity), "100 ms later it blocks again");
  for (let i = 0; i < 4; i++) policy.missed();
  await sleep(120);
  assert.equal(policy.mayBlock(Infinity), false, "the second backoff is 200 ms");
  await sleep(100);
  policy.woke();
  for (let i = 0; i < 4; i++) policy.missed();
  await sleep(120);
  assert.ok(policy.mayBlock(Infinity), "after a wake the backoff is 100 ms again");
});

Deno.test("block policy: no block past a wait's deadline, none at all with 0 ms", () => {
  const policy = new BlockPolicy(1);
  assert.equal(policy.mayBlock(performance.now() + 0.5), false);
  assert.ok(policy.mayBlock(performance.now() + 50));
  assert.equal(new BlockPolicy(0).mayBlock(Infinity), false);
});
