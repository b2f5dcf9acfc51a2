/**
 * A binary min-heap: `push` and `pop` in O(log n), `peek` in O(1). For event loops that
 * must take "the earliest" or "the first in order" many times over a changing set, where
 * sorting again each time would make the loop quadratic.
 */
export class MinHeap<T> {
  readonly #items: T[] = [];

  /** `before(a, b)`: a comes out first. Must be a strict order for a deterministic `pop`. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < items.length && this.before(items[left]!, items[first]!)) first = left;
      if (right < items.length && this.before(items[right]!, items[first]!)) first = right;
      if (first === i) return top;
      [items[i], items[first]] = [items[first]!, items[i]!];
      i = first;
    }
  }

  /** Empties the heap, handing out every item (in no particular order). */
  drain(): T[] {
    return this.#items.splice(0);
  }
}
