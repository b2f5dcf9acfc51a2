import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { publishEvents } from '../../src/events/index.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { realPostgres, realRedis } from '../helpers/env.js';
import { connectSandboxBot, openEventStream, newTenant, type Session } from '../helpers/rest-api.js';

/** Live events over SSE: each tenant receives its own events and nothing of another's. */
let api: TestApi;
let a: Session;
let b: Session;

before(async () => {
  api = await startTestApi();
  a = await newTenant(api, 'ssea');
  b = await newTenant(api, 'sseb');
});
after(async () => { await api.close(); });

const event = (text: string) => ({ type: 'message_in' as const, at: new Date().toISOString(), data: { text } });

test('two tenants connected: each sees only its own events', async () => {
  const streamA = await openEventStream(api.url, a.token);
  const streamB = await openEventStream(api.url, b.token);
  try {
    assert.equal(streamA.status, 200);
    assert.match(streamA.headers.get('content-type') ?? '', /^text\/event-stream/);
    await publishEvents(api.services.cache, a.tenantId, [event('for A 1'), event('for A 2')]);
    await publishEvents(api.services.cache, b.tenantId, [event('for B')]);
    await streamA.waitFor((e) => e.data.data?.text === 'for A 2');
    await streamB.waitFor((e) => e.data.data?.text === 'for B');
    // Let anything misrouted arrive before judging.
    await new Promise((r) => setTimeout(r, 200));
    const textsA = streamA.events.filter((e) => e.event === 'message_in').map((e) => e.data.data.text);
    const textsB = streamB.events.filter((e) => e.event === 'message_in').map((e) => e.data.data.text);
    assert.deepEqual(textsA, ['for A 1', 'for A 2']);
    assert.deepEqual(textsB, ['for B']);
  } finally {
    streamA.close();
    streamB.close();
  }
});

test('events from the real code path: connecting a bot streams bot_status to its tenant only', async () => {
  const streamA = await openEventStream(api.url, a.token);
  const streamB = await openEventStream(api.url, b.token);
  try {
    const bot = await connectSandboxBot(api, b);
    const seen = await streamB.waitFor((e) => e.event === 'bot_status');
    assert.equal(seen.data.data.botId, bot.id);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(streamA.events.filter((e) => e.event === 'bot_status').length, 0);
  } finally {
    streamA.close();
    streamB.close();
  }
});

test('types filter: only the asked-for event types arrive; unknown types are a 400', async () => {
  const stream = await openEventStream(api.url, a.token, '/api/events?types=join,leave');
  try {
    await publishEvents(api.services.cache, a.tenantId, [event('skipped'), { type: 'join', at: new Date().toISOString(), data: { userId: 1 } }]);
    await stream.waitFor((e) => e.event === 'join');
    assert.equal(stream.events.filter((e) => e.event === 'message_in').length, 0);
  } finally {
    stream.close();
  }
  const bad = await api.request('GET', '/api/events?types=join,nope', { token: a.token });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.fields[0].field, 'types');
});

test('without a session the stream is refused', async () => {
  const r = await api.request('GET', '/api/events');
  assert.equal(r.status, 401);
});

test('a closed client is unsubscribed, and closing the server ends open streams', async () => {
  const other = await startTestApi();
  try {
    const session = await newTenant(other, 'sseclose');
    const first = await openEventStream(other.url, session.token);
    first.close();
    await new Promise((r) => setTimeout(r, 100));
    await publishEvents(other.services.cache, session.tenantId, [event('after close')]); // must not throw on a dead stream
    await openEventStream(other.url, session.token);
  } finally {
    const started = Date.now();
    await other.close();
    // An open stream that kept close waiting would hold it forever; anything short of that is a busy machine.
    assert.ok(Date.now() - started < 30_000, 'close did not wait for the open stream');
  }
});

for (const bus of [
  { name: 'Redis', skip: !realRedis && 'REDIS_URL is not set', config: {} as Record<string, string> },
  { name: 'PostgreSQL LISTEN/NOTIFY (no Redis)', skip: !realPostgres && 'needs a PostgreSQL server shared by the replicas', config: { REDIS_URL: '' } },
]) {
  test(`with ${bus.name}, events reach clients connected to another API replica`, { skip: bus.skip }, async () => {
    const [first, replica] = [await startTestApi({ config: bus.config }), await startTestApi({ config: bus.config })];
    try {
      const streamA = await openEventStream(first.url, a.token);
      const streamB = await openEventStream(replica.url, b.token);
      try {
        // Published through the second replica's bus connection, received on the first's (and vice versa).
        await publishEvents(replica.services.cache, a.tenantId, [event('A via replica')]);
        await publishEvents(first.services.cache, b.tenantId, [event('B via first')]);
        await streamA.waitFor((e) => e.data.data?.text === 'A via replica');
        await streamB.waitFor((e) => e.data.data?.text === 'B via first');
        await new Promise((r) => setTimeout(r, 200));
        assert.ok(!streamA.events.some((e) => e.data.data?.text === 'B via first'));
        assert.ok(!streamB.events.some((e) => e.data.data?.text === 'A via replica'));
      } finally {
        streamA.close();
        streamB.close();
      }
    } finally {
      await replica.close();
      await first.close();
    }
  });
}

test('a client that reconnects with Last-Event-ID gets what it missed, in order, then live events, each once', async () => {
  const first = await openEventStream(api.url, a.token);
  await publishEvents(api.services.cache, a.tenantId, [event('before the drop')]);
  const last = await first.waitFor((e) => e.data.data?.text === 'before the drop');
  first.close();
  assert.match(last.id ?? '', /^\d+-\d+$/, 'events carry their log id');
  await publishEvents(api.services.cache, a.tenantId, [event('missed 1'), event('missed 2')]);
  await publishEvents(api.services.cache, b.tenantId, [event('not for A')]);

  const again = await openEventStream(api.url, a.token, '/api/events', { 'last-event-id': last.id! });
  try {
    await again.waitFor((e) => e.data.data?.text === 'missed 2');
    await publishEvents(api.services.cache, a.tenantId, [event('live after')]);
    await again.waitFor((e) => e.data.data?.text === 'live after');
    const texts = again.events.filter((e) => e.event === 'message_in').map((e) => e.data.data.text);
    assert.deepEqual(texts, ['missed 1', 'missed 2', 'live after'], 'nothing before the id, nothing twice, nothing of B');
    assert.equal(again.events.filter((e) => e.event === 'reset').length, 0, 'the log reached back far enough');
  } finally {
    again.close();
  }
});

test('resuming from an id older than the log keeps says so with a reset event; a malformed id is a 400', async () => {
  const stream = await openEventStream(api.url, a.token, '/api/events?lastEventId=1-0');
  try {
    const reset = await stream.waitFor((e) => e.event === 'reset');
    assert.match(reset.data.data.reason, /no longer kept/);
  } finally {
    stream.close();
  }
  const bad = await fetch(`${api.url}/api/events`, { headers: { authorization: `Bearer ${a.token}`, 'last-event-id': 'yesterday' } });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json() as { fields: Array<{ field: string }> }).fields[0]!.field, 'Last-Event-ID');
});
