import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchTrigger, regexTimeLimitMs } from '../../src/rules/index.js';

const rule = (triggerType: 'keyword' | 'regex' | 'command', trigger: string, caseSensitive = false) => ({ triggerType, trigger, caseSensitive });

test('keywords: any of a comma-separated list, case-folded for Turkish too', () => {
  assert.equal(matchTrigger(rule('keyword', 'fiyat, price'), 'FİYAT nedir?', 'b'), 'match');
  assert.equal(matchTrigger(rule('keyword', 'fiyat, price'), 'What is the Price?', 'b'), 'match');
  assert.equal(matchTrigger(rule('keyword', 'price'), 'WHAT IS THE PRICE', 'b'), 'match', 'I is not turned into dotless ı');
  assert.equal(matchTrigger(rule('keyword', 'FIYAT'), 'fıyat ne kadar', 'b'), 'match');
  assert.equal(matchTrigger(rule('keyword', 'fiyat'), 'merhaba', 'b'), 'no_match');
  assert.equal(matchTrigger(rule('keyword', 'Price', true), 'price', 'b'), 'no_match');
});

test('commands: /cmd, /cmd@this_bot and arguments match; another bot’s command does not', () => {
  assert.equal(matchTrigger(rule('command', '/rules'), '/rules', 'kovan_bot'), 'match');
  assert.equal(matchTrigger(rule('command', 'rules'), '/rules@Kovan_Bot now', 'kovan_bot'), 'match');
  assert.equal(matchTrigger(rule('command', 'rules'), '/rules@other_bot', 'kovan_bot'), 'no_match');
  assert.equal(matchTrigger(rule('command', 'rules'), 'see /rules', 'kovan_bot'), 'no_match');
});

test('a catastrophic regex is cut off at the time limit instead of freezing the worker', () => {
  const started = performance.now();
  const outcome = matchTrigger(rule('regex', '^(a+)+$'), 'a'.repeat(50) + '!', 'b');
  const elapsed = performance.now() - started;
  assert.equal(outcome, 'timed_out');
  assert.ok(elapsed < regexTimeLimitMs * 10, `took ${elapsed.toFixed(1)} ms`);
  assert.equal(matchTrigger(rule('regex', '^hel+o\\b'), 'Hello world', 'b'), 'match');
});

test('huge input is bounded: matching reads at most a Telegram message’s length', () => {
  const text = 'x'.repeat(1_000_000) + 'needle';
  assert.equal(matchTrigger(rule('keyword', 'needle'), text, 'b'), 'no_match');
});
