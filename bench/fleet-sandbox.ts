/**
 * The Telegram sandbox in a process of its own, for the fleet benchmarks (ingest, failover,
 * density): Telegram is another machine to Kovan, so its event loop must not be the API's,
 * the worker's or the load generator's. argv[2] is the path of a JSON world:
 * `{ "bots": [{ "token", "username" }], "startsPerBot": [n, …], "limits"?: false }` — every
 * bot is created with its fixed token (the benchmark seeded the same tokens, sealed, into
 * Kovan's database), and `startsPerBot[i]` new users press Start in bot i's private chat.
 * Prints one JSON line — `{ apiRoot, users: number[][] }`, the users per bot — then serves
 * with Telegram's flood limits (unless `limits: false`) until SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { startSandbox } from '../src/sandbox/index.js';

export interface FleetSandboxWorld {
  bots: Array<{ token: string; username: string }>;
  /** Users who start bot i (their /start waits in the bot's inbox). Missing entries: none. */
  startsPerBot?: number[];
  limits?: false;
  callLogLimit?: number;
}

const world = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FleetSandboxWorld;
const sandbox = await startSandbox({ ...(world.limits === false ? { limits: false } : {}), callLogLimit: world.callLogLimit ?? 200_000 });
const users = world.bots.map((spec, i) => {
  const bot = sandbox.createBot({ username: spec.username, token: spec.token, canReadAllGroupMessages: true });
  return Array.from({ length: world.startsPerBot?.[i] ?? 0 }, (_, u) => {
    const user = sandbox.createUser({ firstName: `User${u}` });
    sandbox.userStartsBot(user.id, bot.id);
    return user.id;
  });
});
process.stdout.write(`${JSON.stringify({ apiRoot: sandbox.apiRoot, users })}\n`);
process.on('SIGTERM', () => { void sandbox.close().then(() => process.exit(0)); });
