import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, migrate } from './platform/db/index.js';
import { grantOperator } from './tenancy/index.js';
import { startApi } from './roles/api.js';
import { ensureMiniAppBuilt } from './roles/mini-app-build.js';
import { startAll } from './roles/start.js';
import { startWorker } from './roles/worker.js';
import { startSandbox } from './sandbox/index.js';
import { portabilityCommands } from './portability/index.js';
import { stopOnSignal } from './platform/shutdown.js';
import { Watchdog } from './platform/watchdog.js';

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<void>;
}

/**
 * A long-running role from here on: a watchdog thread restarts the process if its event loop
 * stays blocked, and SIGTERM/SIGINT drain it within SHUTDOWN_TIMEOUT_MS (docs/OPERATIONS.md §10).
 */
async function superviseRole(config: Config, stop: () => Promise<void>): Promise<void> {
  const watchdog = await Watchdog.start({ stallMs: config.EVENT_LOOP_STALL_MS });
  stopOnSignal(stop, { watchdog, timeoutMs: config.SHUTDOWN_TIMEOUT_MS });
}

function config(): Config {
  return loadConfig();
}

const commands: Record<string, Command> = {
  start: {
    summary: 'Run the whole product in one process (API, Mini App, workers) on embedded defaults',
    usage: 'kovan start\n\nWith no DATABASE_URL the data lives in PGlite under DATA_DIR (./data).',
    async run() {
      const settings = config();
      const running = await startAll(settings, (line) => console.log(line));
      await superviseRole(settings, running.stop);
    },
  },
  api: {
    summary: 'Run the API role only (REST, Mini App, webhook ingress)',
    usage: 'kovan api\n\nStateless; run several behind a load balancer with DATABASE_URL and REDIS_URL set.',
    async run() {
      await ensureMiniAppBuilt((line) => console.log(line));
      const settings = config();
      const running = await startApi(settings);
      console.log(`Kovan API listening at ${running.url}`);
      await superviseRole(settings, running.stop);
    },
  },
  worker: {
    summary: 'Run one worker: lease tenant sessions, poll Telegram, drain the outbox',
    usage: 'kovan worker\n\nNeeds DATABASE_URL (PostgreSQL) to share the fleet with other workers. WORKER_POOL pins it to a pool;\nWORKER_CAPACITY is its share in weight units. Serves /healthz, /readyz, /metrics on PORT. SIGTERM drains.',
    async run() {
      const settings = config();
      const running = await startWorker(settings);
      console.log(`Kovan worker ${running.worker.id} running (health and metrics at ${running.url})`);
      await superviseRole(settings, running.stop);
    },
  },
  sandbox: {
    summary: 'Run the Telegram Bot API sandbox on its own (for demos and external clients)',
    usage: 'kovan sandbox [--port N]\n\nAn offline emulation of the Telegram Bot API; see docs/SANDBOX.md.',
    async run(args) {
      const { values } = parseArgs({ args, options: { port: { type: 'string', default: '8081' } } });
      const sandbox = await startSandbox({ port: Number(values.port) });
      console.log(`Telegram sandbox listening at ${sandbox.apiRoot}  (Bot API: ${sandbox.apiRoot}/bot<token>/<method>, control: ${sandbox.apiRoot}/sandbox)`);
      stopOnSignal(() => sandbox.close());
    },
  },
  operator: {
    summary: 'Grant operator rights to the tenant of a login (operator grant <username>)',
    usage: 'kovan operator grant <username>\n\nOperators see the fleet and manage tenants. Runs as the schema owner (DATABASE_URL).',
    async run(args) {
      const [action, username] = args;
      if (action !== 'grant' || !username) throw new UsageError('usage: kovan operator grant <username>');
      const db = await openDatabase(config());
      try {
        const { tenantId } = await grantOperator(db, username);
        console.log(`The tenant of "${username}" (${tenantId}) is now an operator tenant.`);
      } finally {
        await db.close();
      }
    },
  },
  migrate: {
    summary: 'Apply pending database migrations, then exit',
    usage: 'kovan migrate\n\nConnects as the schema owner (DATABASE_URL). Safe to run from several replicas at once.',
    async run() {
      const db = await openDatabase(config());
      try {
        const report = await migrate(db);
        console.log(report.applied.length > 0 ? `Applied ${report.applied.join(', ')}` : 'Database is up to date');
      } finally {
        await db.close();
      }
    },
  },
  ...portabilityCommands,
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: kovan <command> [--help]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration comes from environment variables; see README.md.',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    process.exitCode = 2;
    return;
  }
  const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } }, strict: false });
  if (values.help) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return;
  }
  await command.run(rest);
}

/** A command was called wrongly: the message is the usage, exit code 2. */
class UsageError extends Error {}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(error);
  process.exit(1);
});
