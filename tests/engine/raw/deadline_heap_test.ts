/**
 * Tests for lib/engine/raw/deadline_heap.ts: against a sorted list, under
 * random pushes, pops and removals from the middle.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Deadline, DeadlineHeap } from "../../../lib/engine/raw/deadline_heap.ts";

interface Item extends Deadline {
  id: number;
}

Deno.test("deadline heap: random pushes, pops and removals keep deadline order", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const heap = new DeadlineHeap<Item>();
  let held: Item[] = [];
  for (let step = 0; step < 5000; step++) {
    const r = random();
    if (r < 0.5 || held.length === 0) {
      // Ties included: deadlines are whole numbers of a small range.
      const item = { id: step, deadline: Math.floor(random() * 100), heapIndex: -1 };
      heap.push(item);
      held.push(item);
    } else if (r < 0.75) {
      const top = heap.pop()!;
      const earliest = Math.min(...held.map((i) => i.deadline));
      assert.equal(top.deadline, earliest);
      assert.equal(top.heapIndex, -1);
      held = held.filter((i) => i !== top);
    } else {
      const gone = held[Math.floor(random() * held.length)];
      heap.remove(gone);
      heap.remove(gone); // twice is harmless
      assert.equal(gone.heapIndex, -1);
      held = held.filter((i) => i !== gone);
    }
    assert.equal(heap.size, held.length);
  }
  const order = [];
  while (heap.size > 0) order.push(heap.pop()!.deadline);
  assert.deepEqual(order, held.map((i) => i.deadline).sort((a, b) => a - b));
});
