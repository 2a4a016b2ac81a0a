/**
 * The reactor's pending deadlines: a binary min-heap that knows where each
 * item sits, so a wait that ends before its deadline leaves in O(log n) and
 * nothing is kept for it. It lets one timer serve every timed wait of an
 * event loop: a `setTimeout` and `clearTimeout` pair per wait cost 1.4 us
 * (Deno 2.9.6, a Node `Timeout` object each), a push and a removal here
 * about 0.1 us at 100 waits.
 *
 * @module
 */

/** What the heap orders: a deadline, and the slot the heap keeps it in (-1 when out). */
export interface Deadline {
  /** `performance.now()` at which it is due. */
  deadline: number;
  /** Its index in the heap, -1 when not in it; the heap keeps it up to date. */
  heapIndex: number;
}

/**
 * Items by deadline, earliest first.
 *
 * @example
 * ```ts
 * import { DeadlineHeap } from "./deadline_heap.ts";
 * const heap = new DeadlineHeap<{ deadline: number; heapIndex: number }>();
 * const [a, b, c] = [30, 10, 20].map((deadline) => ({ deadline, heapIndex: -1 }));
 * heap.push(a);
 * heap.push(b);
 * heap.push(c);
 * heap.remove(b);
 * console.assert(heap.peek() === c && b.heapIndex === -1);
 * console.assert(heap.pop() === c && heap.pop() === a && heap.size === 0);
 * ```
 */
export class DeadlineHeap<T extends Deadline> {
  readonly #items: T[] = [];

  /** Items held. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest item, left in place. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item` (which must not be in a heap). */
  push(item: T): void {
    const items = this.#items;
    item.heapIndex = items.length;
    items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Takes `item` out; nothing happens if it is not in the heap. */
  remove(item: T): void {
    const items = this.#items;
    const at = item.heapIndex;
    if (at < 0 || items[at] !== item) return;
    item.heapIndex = -1;
    const last = items.pop()!;
    if (last === item) return;
    items[at] = last;
    last.heapIndex = at;
    this.#down(at);
    this.#up(last.heapIndex);
  }

  #up(at: number): void {
    const items = this.#items;
    const item = items[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (items[parent].deadline <= item.deadline) break;
      items[at] = items[parent];
      items[at].heapIndex = at;
      at = parent;
    }
    items[at] = item;
    item.heapIndex = at;
  }

  #down(at: number): void {
    const items = this.#items;
    const item = items[at];
    const n = items.length;
    while (true) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && items[right].deadline < items[left].deadline ? right : left;
      if (items[child].deadline >= item.deadline) break;
      items[at] = items[child];
      items[at].heapIndex = at;
      at = child;
    }
    items[at] = item;
    item.heapIndex = at;
  }
}
