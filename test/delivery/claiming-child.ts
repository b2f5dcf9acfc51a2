/**
 * A sender process for the crash tests: it drains one tenant's outbox and gets stuck at a
 * chosen point, so the test can SIGKILL it there.
 *   CRASH_POINT=before-send  the Telegram client never arrives: rows are claimed, no attempt recorded
 *   CRASH_POINT=in-call      the call goes to a server that never answers: attempts recorded, outcome unknown
 * Prints "claimed <n>" for every claim, as a JSON-free line the parent can wait for.
 */
import net from 'node:net';
import { TelegramClient } from '../../src/bots/telegram-client.js';
import { startOutboxDrainer } from '../../src/delivery/index.js';
import { PostgresDatabase } from '../../src/platform/db/index.js';
import { createLogger } from '../../src/platform/log.js';
import { testLimits } from './fixtures.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const db = new PostgresDatabase({ ownerUrl: env('DATABASE_URL'), poolSize: 2 });
let clientFor: () => Promise<TelegramClient> | TelegramClient;
if (env('CRASH_POINT') === 'before-send') {
  clientFor = () => new Promise<TelegramClient>(() => {});
} else {
  // Accepts connections and never answers: the call is on the wire, its answer never comes.
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  const client = new TelegramClient(env('BOT_TOKEN'), `http://127.0.0.1:${port}`);
  clientFor = () => client;
}

startOutboxDrainer({
  db, tenantId: env('TENANT_ID'), lease: { workerId: env('WORKER_ID'), epoch: Number(env('EPOCH')) },
  clientFor, limits: testLimits, log: createLogger('silent'),
  onEvent: (event) => { if (event.type === 'claimed') process.stdout.write(`claimed ${event.ids.length}\n`); },
});
