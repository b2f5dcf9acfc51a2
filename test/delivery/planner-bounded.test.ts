import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { on } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { Minute, Second } from '../../src/platform/time.js';

/**
 * Issue 11: the 15th broadcast in a row to one group never answered — the planner's replay
 * looped forever on a 2e-13 ms wait — and took the whole API (health checks included) with
 * it. The API runs in a child process here, so that a regression fails this test on its
 * timeouts instead of hanging the suite.
 */
const child = path.join(import.meta.dirname, 'api-child.ts');
const answerWithin = 20 * Second;
// Starting an API on embedded PGlite (WASM migrations, password hashing) on a busy 2-core
// machine has taken 80 s; a bound, not an expectation.
const startWithin = 4 * Minute;

test('15 broadcasts in a row to one group all answer, with a plan, and the API stays healthy', { timeout: startWithin + 2 * Minute }, async () => {
  const api = spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const lines = on(readline.createInterface({ input: api.stdout! }), 'line', { signal: AbortSignal.timeout(startWithin + Minute) });
  const nextLine = async () => JSON.parse(((await lines.next()).value as string[])[0]!);
  try {
    const { url, token, groupId } = await nextLine();
    const broadcast = (n: number) => fetch(`${url}/api/broadcasts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `b${n}`, text: `msg ${n}`, group_ids: [groupId] }),
      signal: AbortSignal.timeout(answerWithin),
    });
    for (let n = 1; n <= 14; n++) assert.equal((await broadcast(n)).status, 201);
    // The sender has taken the first rows and put them back with its forecasts, as it does
    // while it paces a chat (these offsets are the ones the demo's sender left).
    api.stdin!.write(`${JSON.stringify({ handBack: [0, 0, 180, 1399, 2404] })}\n`);
    assert.deepEqual(await nextLine(), { handedBack: 5 });

    const fifteenth = await broadcast(15).catch((error: Error) => assert.fail(`the 15th broadcast did not answer within ${answerWithin} ms: ${error.message}`));
    assert.equal(fifteenth.status, 201, await fifteenth.clone().text());
    const { plan } = await fifteenth.json() as { plan: { messages: number; etas: Array<{ eta: string | null; state: string }> } };
    assert.equal(plan.messages, 1);
    assert.equal(plan.etas[0]!.state, 'today');
    assert.ok(Date.parse(plan.etas[0]!.eta!) > Date.now(), 'planned behind the 14 queued before it');
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(answerWithin) });
    assert.equal(health.status, 200);
  } finally {
    api.kill('SIGKILL');
  }
});
