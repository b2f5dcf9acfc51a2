/**
 * The Telegram sandbox in a process of its own, for the delivery benchmarks: Telegram is
 * another machine to Kovan, so its clock and event loop must not be the sender's. Builds
 * the world described by the JSON in argv[2] — `{ "groupsPerBot": [300, 30] }`: one bot per
 * entry, each an admin in that many supergroups — then prints one JSON line (API root; each
 * bot's id, token and group chat ids) and serves, with Telegram's flood limits, until killed.
 */
import { startSandbox } from '../src/sandbox/index.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { groupsPerBot: number[] };
const sandbox = await startSandbox();
const owner = sandbox.createUser({ firstName: 'Owner' });
const bots = spec.groupsPerBot.map((groups, b) => {
  const bot = sandbox.createBot({ username: `bench${b}_bot` });
  const chatIds = Array.from({ length: groups }, (_, g) => {
    const group = sandbox.createGroup({ title: `Bench ${b}/${g}`, type: 'supergroup', memberIds: [owner.id] });
    sandbox.addBotToGroup(bot.id, group.id, { admin: true });
    return group.id;
  });
  return { id: bot.id, token: bot.token, username: bot.username, chatIds };
});
process.stdout.write(`${JSON.stringify({ apiRoot: sandbox.apiRoot, bots })}\n`);
process.on('SIGTERM', () => { void sandbox.close().then(() => process.exit(0)); });
