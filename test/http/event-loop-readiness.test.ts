import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';
import type { RouteModule } from '../../src/http/types.js';

/**
 * A process whose event loop lags says so: /readyz answers 503 (the load balancer routes
 * around it) until the loop keeps time again, and /metrics exports the delay.
 */
const blockMs = 3000;
const blockingRoute: RouteModule = (api) => {
  api.post('/test/block-loop', { config: { auth: 'public' } }, async () => {
    const until = Date.now() + blockMs;
    while (Date.now() < until) { /* a request that holds the event loop, like the planner bug did */ }
    return { blocked: blockMs };
  });
};

let api: TestApi;
before(async () => { api = await startTestApi({ config: { EVENT_LOOP_READY_MAX_MS: '1500' }, extraRoutes: [blockingRoute] }); });
after(async () => { await api.close(); });

test('/readyz is 503 right after the loop was held, and ready again once it keeps time', async () => {
  await eventually(async () => (await api.request('GET', '/readyz')).status === 200, 45_000, 'ready before the block');
  const blocked = await api.request('POST', '/test/block-loop');
  assert.equal(blocked.status, 200);
  const lagging = await api.request('GET', '/readyz');
  assert.equal(lagging.status, 503, lagging.text);
  assert.equal(lagging.body.eventLoop, false);
  assert.equal(lagging.body.database, true);
  assert.ok(lagging.body.eventLoopDelayMs >= blockMs * 0.9, `reported ${lagging.body.eventLoopDelayMs} ms`);
  const recovered = await eventually(async () => {
    const r = await api.request('GET', '/readyz');
    return r.status === 200 && r;
  }, 45_000, 'ready again');
  assert.equal(recovered.body.eventLoop, true);
  assert.equal((await api.request('GET', '/healthz')).status, 200);
});

test('/metrics exports the event-loop delay readiness compares', async () => {
  const r = await api.request('GET', '/metrics');
  const line = r.text.split('\n').find((l) => l.startsWith('kovan_event_loop_delay_seconds '));
  assert.ok(line, 'kovan_event_loop_delay_seconds is exported');
  assert.ok(Number(line.split(' ')[1]) >= 0);
});
