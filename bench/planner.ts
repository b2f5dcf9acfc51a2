/**
 * `npm run bench -- planner [--messages 10000] [--chats 1000] [--runs 15]`: the delivery
 * planner's replay of the sender (src/delivery/simulation.ts) over a queue as large as a
 * broadcast leaves it — `messages` queued to `chats` groups of one bot, round by round, Telegram's
 * default limits, the planner's assumed round trip — and the same at a fifth, half and twice
 * the size, to show the cost grows linearly. Each size is timed `runs` times after a warm-up;
 * the median wall and CPU times are reported (CPU stays meaningful on a busy machine). No
 * database: the query that loads the queue is the planner's other cost. Last line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultDeliveryLimits } from '../src/delivery/index.js';
import { assumedCallMs } from '../src/delivery/planner.js';
import { simulate, type SimRow } from '../src/delivery/simulation.js';
import { quantile, round } from './fleet-world.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true, // `bench/run.ts planner …` passes the bench's name first
  options: {
    messages: { type: 'string', default: '10000' },
    chats: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '15' },
  },
});
const messages = Number(values.messages);
const chats = Number(values.chats);
const runs = Number(values.runs);
const start = Date.now();

/** `count` broadcast rows, one per chat per round, as `count / chats` broadcasts leave the outbox. */
function queue(count: number): SimRow[] {
  return Array.from({ length: count }, (_, i) => ({
    ref: i, botId: 'bot', chatId: -1_000_000 - (i % chats), priority: 3, seq: i, notBefore: start, paid: false,
  }));
}

function measure(count: number): { messages: number; wall_ms: number; cpu_ms: number; steps: number; finishes_after_s: number } {
  const rows = queue(count);
  let result = simulate(rows, defaultDeliveryLimits, assumedCallMs, start);
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    result = simulate(rows, defaultDeliveryLimits, assumedCallMs, start);
    walls.push(performance.now() - wall);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const etas = [...result.outcomes.values()].map((o) => o.eta ?? Number.NaN);
  if (etas.some(Number.isNaN)) throw new Error('a row of the benchmark queue was not planned');
  return {
    messages: count,
    wall_ms: round(quantile(walls.sort((a, b) => a - b), 0.5), 1),
    cpu_ms: round(quantile(cpus.sort((a, b) => a - b), 0.5), 1),
    steps: result.steps,
    finishes_after_s: round((Math.max(...etas) - start) / 1000, 1),
  };
}

const sizes = [messages / 5, messages / 2, messages, messages * 2].map(Math.round);
const results = sizes.map(measure);
for (const r of results) console.log(`${r.messages} messages over ${chats} chats: ${r.wall_ms} ms wall, ${r.cpu_ms} ms CPU (median of ${runs}), ${r.steps} steps; the last would go after ${r.finishes_after_s} s`);
const main = results[2]!;
const perThousand = results.map((r) => round((r.cpu_ms / r.messages) * 1000, 2));
console.log(JSON.stringify({
  bench: 'planner', messages, chats, runs,
  wall_ms: main.wall_ms, cpu_ms: main.cpu_ms, steps: main.steps,
  cpu_ms_per_1000_messages: Object.fromEntries(sizes.map((size, i) => [size, perThousand[i]])),
  within_budget: main.wall_ms <= 100,
  load_average: round(loadavg()[0]!, 1),
}));
