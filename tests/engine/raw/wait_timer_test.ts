/**
 * Tests for lib/engine/raw/wait_timer.ts: items come due no earlier than
 * their deadline and in order, removed ones never, one `setTimeout` serves
 * many waits, and no timer is left once nothing waits (the sanitizer).
 *
 * @module
 */

import assert from "node:assert/strict";
import { WaitTimer } from "../../../lib/engine/raw/wait_timer.ts";

interface Item {
  name: string;
  deadline: number;
  heapIndex: number;
  addedAt: number;
}

const item = (name: string): Item => ({ name, deadline: 0, heapIndex: -1, addedAt: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("wait timer: items come due in deadline order, never early, removed ones never", async () => {
  const due: Item[] = [];
  const late: number[] = [];
  const timer = new WaitTimer<Item>((i) => {
    due.push(i);
    late.push(performance.now() - i.deadline);
  });
  const add = (i: Item, ms: number) => {
    timer.add(i, ms);
    return i;
  };
  add(item("c"), 60);
  add(item("a"), 20);
  const gone = add(item("gone"), 30);
  add(item("b"), 40);
  timer.remove(gone);
  // An earlier deadline added after later ones moves the timer earlier.
  add(item("first"), 2);
  await sleep(120);
  assert.deepEqual(due.map((i) => i.name).sort(), ["a", "b", "c", "first"]);
  // In the order of their deadlines (a stalled test machine may reorder the names).
  const deadlines = due.map((i) => i.deadline);
  assert.deepEqual(deadlines, [...deadlines].sort((x, y) => x - y));
  assert.ok(late.every((ms) => ms >= 0), `came due early: ${late}`);
  assert.equal(timer.size, 0);
});

Deno.test("wait timer: 200 waits at once arm one setTimeout, and leave none behind", () => {
  const original = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed++;
    return original(...args);
  }) as typeof setTimeout;
  try {
    const timer = new WaitTimer<Item>(() => assert.fail("nothing should come due"));
    const waiting = Array.from({ length: 200 }, (_, i) => item(`w${i}`));
    for (const w of waiting) timer.add(w, 5000);
    for (const w of waiting) timer.remove(w);
    assert.equal(armed, 1);
    assert.equal(timer.size, 0);
  } finally {
    globalThis.setTimeout = original;
  }
  // Leaving the test with an armed timer would fail Deno's sanitizer.
});
