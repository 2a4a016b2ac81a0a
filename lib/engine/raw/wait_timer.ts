/**
 * One timer for every timed wait of a reactor: waits sit in a
 * {@link DeadlineHeap} and a single `setTimeout` is armed for the earliest
 * deadline. A `setTimeout`/`clearTimeout` pair per wait cost 1.4 us on this
 * machine (Deno 2.9.6: a Node `Timeout` object and two ops each); most
 * waits end long before their deadline, so here they only leave the heap.
 *
 * @module
 */

import { type Deadline, DeadlineHeap } from "./deadline_heap.ts";

/**
 * Calls `onDue(item)` for each item whose deadline has passed, unless it
 * was removed first. The timer is armed for the earliest deadline and only
 * ever moved earlier; when the item it was armed for leaves early, it fires
 * once for nothing and is armed for the next deadline (with one timeout for
 * all, about once per timeout). Once the heap is empty no timer is left
 * armed, so nothing holds a test or the process open.
 *
 * @example
 * ```ts
 * import { WaitTimer } from "./wait_timer.ts";
 * const due: string[] = [];
 * const timer = new WaitTimer<{ name: string; deadline: number; heapIndex: number }>(
 *   (item) => due.push(item.name),
 * );
 * const [kept, left] = ["kept", "left"].map((name) => ({ name, deadline: 0, heapIndex: -1 }));
 * timer.add(kept, 10);
 * timer.add(left, 5);
 * timer.remove(left); // it ended before its deadline
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * console.assert(due.join() === "kept", due.join());
 * console.assert(timer.size === 0);
 * ```
 */
export class WaitTimer<T extends Deadline> {
  readonly #heap = new DeadlineHeap<T>();
  readonly #onDue: (item: T) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Infinity;

  /** `onDue` is called once per item that comes due; it need not remove it. */
  constructor(onDue: (item: T) => void) {
    this.#onDue = onDue;
  }

  /** Items waiting. */
  get size(): number {
    return this.#heap.size;
  }

  /** The earliest deadline (`performance.now()`), Infinity when none. */
  get next(): number {
    return this.#heap.peek()?.deadline ?? Infinity;
  }

  /** Sets `item.deadline` to `ms` from now and waits for it. */
  add(item: T, ms: number): void {
    const now = performance.now();
    item.deadline = now + ms;
    this.#heap.push(item);
    if (item.deadline < this.#armedAt) this.#arm(item.deadline, now);
  }

  /** Forgets `item` (it ended before its deadline); harmless if it is not waiting. */
  remove(item: T): void {
    if (item.heapIndex < 0) return;
    this.#heap.remove(item);
    if (this.#heap.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedAt = Infinity;
    }
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#fire, at - now);
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    let due: T | undefined;
    // A timer may fire a fraction of a millisecond before the deadline it
    // was armed for; such an item waits for the next arming, never ends early.
    while ((due = this.#heap.peek()) !== undefined && due.deadline <= now) {
      this.#heap.remove(due);
      this.#onDue(due);
    }
    if (due !== undefined && due.deadline < this.#armedAt) this.#arm(due.deadline, now);
  };
}
