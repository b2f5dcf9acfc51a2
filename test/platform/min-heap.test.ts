import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MinHeap } from '../../src/platform/min-heap.js';

test('a min-heap hands out what it was given, smallest first, whatever the order of pushes and pops', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(null))), (ops) => {
    // A number pushes it; null pops, checked against a sorted list kept beside the heap.
    const heap = new MinHeap<number>((a, b) => a < b);
    const model: number[] = [];
    for (const op of ops) {
      if (op === null) {
        assert.equal(heap.pop(), model.shift());
      } else {
        heap.push(op);
        model.push(op);
        model.sort((a, b) => a - b);
      }
      assert.equal(heap.size, model.length);
      assert.equal(heap.peek(), model[0]);
    }
    assert.deepEqual(heap.drain().sort((a, b) => a - b), model);
    assert.equal(heap.size, 0);
  }));
});
