import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { FrameAssembler, frameMessage, maxPayloadBytes, MemoryBus, PostgresBus, RedisBus, type Bus } from '../../src/platform/bus/index.js';
import { appUrlFor, type Database } from '../../src/platform/db/index.js';
import { openTestDatabase, realPostgres, realRedis } from '../helpers/env.js';
import { eventually } from '../helpers/processes.js';

/**
 * The bus between processes: one contract, run over the in-memory bus, PostgreSQL
 * LISTEN/NOTIFY and Redis pub/sub. `here` and `there` stand for two processes (for the
 * in-memory bus, one process is all there is).
 */
interface BusPair {
  here: Bus;
  there: Bus;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const cleanup of cleanups.reverse()) await cleanup(); });

let databasePromise: Promise<Database> | undefined;
function database(): Promise<Database> {
  databasePromise ??= openTestDatabase().then((db) => { cleanups.push(() => db.close()); return db; });
  return databasePromise;
}

async function postgresBus(applicationName?: string): Promise<PostgresBus> {
  const db = await database();
  return new PostgresBus({ listenUrl: appUrlFor(process.env.DATABASE_URL!), query: (sql, params) => db.readWithoutTenant(sql, params), applicationName });
}

const implementations: Array<{ name: string; skip: string | false; open(): Promise<BusPair> }> = [
  {
    name: 'in-memory',
    skip: false,
    async open() {
      const bus = new MemoryBus();
      return { here: bus, there: bus, close: () => bus.close() };
    },
  },
  {
    name: 'PostgreSQL LISTEN/NOTIFY',
    skip: !realPostgres && 'needs a PostgreSQL server (runs in the PostgreSQL pass)',
    async open() {
      const [here, there] = [await postgresBus(), await postgresBus()];
      return { here, there, async close() { await here.close(); await there.close(); } };
    },
  },
  {
    name: 'Redis pub/sub',
    skip: !realRedis && 'needs a Redis server (runs in the PostgreSQL pass)',
    async open() {
      const prefix = `kovan-bus-test-${process.pid}-${Date.now()}:`;
      const clients = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];
      const [here, there] = clients.map((c) => new RedisBus(c, prefix)) as [RedisBus, RedisBus];
      return { here, there, async close() { await here.close(); await there.close(); for (const c of clients) c.disconnect(); } };
    },
  },
];

let channelSeq = 0;
const channel = (name: string) => `${name}:${process.pid}:${channelSeq++}`;

/** Collects what a subscription receives. */
async function listen(bus: Bus, name: string): Promise<{ got: string[]; stop: () => Promise<void> }> {
  const got: string[] = [];
  const stop = await bus.subscribe(name, (m) => got.push(m));
  return { got, stop };
}

const arrived = (got: string[], count: number, what: string) => eventually(async () => got.length >= count, 15_000, what);

for (const implementation of implementations) {
  describe(`the bus contract: ${implementation.name}`, { skip: implementation.skip }, () => {
    let pair: BusPair;
    test('open', async () => {
      pair = await implementation.open();
      cleanups.push(() => pair.close());
    });

    test('a message reaches every subscriber of its channel, in this process and another, and no other channel', async () => {
      const [topic, other] = [channel('session'), channel('session')];
      const [here, there, elsewhere] = [await listen(pair.here, topic), await listen(pair.there, topic), await listen(pair.there, other)];
      await pair.here.publish(other, 'for the other channel');
      await pair.there.publish(topic, 'hello');
      await arrived(here.got, 1, 'the message here');
      await arrived(there.got, 1, 'the message there');
      await arrived(elsewhere.got, 1, 'the other channel’s message');
      assert.deepEqual([here.got, there.got, elsewhere.got], [['hello'], ['hello'], ['for the other channel']]);
      for (const s of [here, there, elsewhere]) await s.stop();
    });

    test('messages from one publisher arrive in order; an unsubscribed handler gets nothing more, the others still do', async () => {
      const topic = channel('events');
      const [kept, dropped] = [await listen(pair.there, topic), await listen(pair.there, topic)];
      for (let i = 0; i < 20; i++) await pair.here.publish(topic, `m${i}`);
      await arrived(kept.got, 20, 'twenty messages');
      assert.deepEqual(kept.got, Array.from({ length: 20 }, (_, i) => `m${i}`));
      await arrived(dropped.got, 20, 'twenty messages for the second handler');
      await dropped.stop();
      await pair.here.publish(topic, 'after');
      await arrived(kept.got, 21, 'the message after');
      assert.equal(dropped.got.length, 20, 'the unsubscribed handler got nothing more');
      await kept.stop();
    });

    test('a message far above PostgreSQL’s 8000-byte NOTIFY limit, in several scripts, arrives whole; so does one on a 100-character channel', async () => {
      const topic = channel('x'.repeat(100));
      const subscription = await listen(pair.there, topic);
      const big = JSON.stringify({ text: 'Merhaba dünya 👋 — çok uzun bir mesaj. '.repeat(1200) });
      assert.ok(Buffer.byteLength(big) > 5 * maxPayloadBytes);
      await pair.here.publish(topic, big);
      await pair.here.publish(topic, 'small');
      await arrived(subscription.got, 2, 'both messages');
      assert.equal(subscription.got[0], big);
      assert.equal(subscription.got[1], 'small');
      await subscription.stop();
    });
  });
}

describe('PostgreSQL LISTEN/NOTIFY: the listening connection', { skip: !realPostgres && 'needs a PostgreSQL server (runs in the PostgreSQL pass)' }, () => {
  test('is cut by the server: the bus reconnects, LISTENs again, and later messages arrive', async () => {
    const applicationName = `kovan-bus-test-${process.pid}`;
    const [listener, publisher] = [await postgresBus(applicationName), await postgresBus()];
    cleanups.push(async () => { await listener.close(); await publisher.close(); });
    const topic = channel('session');
    const subscription = await listen(listener, topic);
    await publisher.publish(topic, 'before');
    await arrived(subscription.got, 1, 'the message before the cut');

    const db = await database();
    // pg_terminate_backend in the select list: it runs only for the rows the WHERE kept.
    const cut = await db.withOwner((tx) => tx.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [applicationName]));
    assert.deepEqual(cut.rows, [{ terminated: true }], 'the listening connection was terminated');

    // Messages published while it is down are lost (fire and forget); once it is back they arrive again.
    let probe = 0;
    await eventually(async () => {
      await publisher.publish(topic, `probe ${probe++}`);
      return subscription.got.some((m) => m.startsWith('probe'));
    }, 30_000, 'a message after the reconnect');
    const relisten = await db.withOwner((tx) => tx.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [applicationName]));
    assert.equal(relisten.rowCount, 1, 'one listening connection again');
    await subscription.stop();
  });
});

describe('NOTIFY frames', () => {
  test('every payload fits the limit, and the parts in any order give back the message once', () => {
    fc.assert(fc.property(
      fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 60, max: maxPayloadBytes }), fc.integer({ min: 0, max: 2 ** 31 }),
      (message, limit, seed) => {
        const payloads = frameMessage(message, 'id1', limit);
        for (const p of payloads) assert.ok(Buffer.byteLength(p) <= limit, `${Buffer.byteLength(p)} > ${limit}`);
        const shuffled = fc.sample(fc.shuffledSubarray(payloads, { minLength: payloads.length, maxLength: payloads.length }), { seed, numRuns: 1 })[0]!;
        const assembler = new FrameAssembler();
        const results = shuffled.map((p) => assembler.accept(p));
        assert.deepEqual(results.filter((r) => r !== undefined), [message]);
        assert.equal(results.at(-1), message, 'complete with the last part, not before');
        assert.equal(assembler.pending, 0);
      }), { numRuns: 300 });
  });

  test('parts of two messages interleaved are told apart; a message missing parts for a minute is forgotten', () => {
    let now = 0;
    const assembler = new FrameAssembler(() => now);
    const [a, b] = [frameMessage('a'.repeat(500), 'A', 100), frameMessage('b'.repeat(500), 'B', 100)];
    const out = a.flatMap((p, i) => [assembler.accept(p), assembler.accept(b[i]!)]).filter((m) => m !== undefined);
    assert.deepEqual(out, ['a'.repeat(500), 'b'.repeat(500)]);
    assembler.accept(frameMessage('c'.repeat(500), 'C', 100)[0]!);
    now += 61_000;
    assembler.accept(frameMessage('d'.repeat(500), 'D', 100)[0]!);
    assert.equal(assembler.pending, 1, 'the stale message was dropped');
    assert.equal(assembler.accept('a payload someone else sent'), 'a payload someone else sent');
  });
});
