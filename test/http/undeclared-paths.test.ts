import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { undeclaredPaths } from '../../src/http/response-contract.js';

/**
 * `undeclaredPaths` compares an answer as the code made it with what serialization kept;
 * the strict response check (docs/API.md, Responses) fails on every path it reports.
 */
const json = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

test('an answer serialized whole has no undeclared path', () => {
  fc.assert(fc.property(json, (value) => {
    assert.deepEqual(undeclaredPaths(value, structuredClone(value)), []);
  }));
});

test('a key that serialization dropped is reported at its path, and only it', () => {
  const key = fc.string({ minLength: 1, maxLength: 8 });
  fc.assert(fc.property(json, key, fc.array(fc.oneof(key, fc.nat({ max: 3 })), { maxLength: 3 }), (value, extra, route) => {
    // Walk `route` into the value as far as objects and arrays go; add `extra` there to the sent copy only.
    const sent = structuredClone({ root: value }) as Record<string, unknown>;
    const path: Array<string | number> = ['root'];
    let next = sent.root;
    for (const step of route) {
      if (Array.isArray(next) && typeof step === 'number' && step < next.length && typeof next[step] === 'object' && next[step] !== null) {
        next = next[step]; path.push(step);
      } else if (next && typeof next === 'object' && !Array.isArray(next) && typeof step === 'string' && typeof (next as Record<string, unknown>)[step] === 'object' && (next as Record<string, unknown>)[step] !== null) {
        next = (next as Record<string, unknown>)[step]; path.push(step);
      } else break;
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next) || extra in next) return;
    (next as Record<string, unknown>)[extra] = 'undeclared';
    assert.deepEqual(undeclaredPaths(sent, { root: value }), [[...path, extra]]);
  }));
});
