import path from 'node:path';
import type { Config } from '../config.js';
import { startDemoConversation } from '../demo/conversation.js';
import { startDemoWorld } from '../demo/demo-world.js';
import { demoLogin, demoOperatorLogin, seedDemoTenant } from '../demo/seed.js';
import { Supervisor } from '../fleet/index.js';
import { closePlatform, openPlatform } from '../platform/index.js';
import { serveApi } from './api.js';
import { ensureMiniAppBuilt } from './mini-app-build.js';
import { createWorker } from './worker.js';

/** Demo mode runs unless told otherwise, or unless a real Telegram (a platform bot token or another API root) is configured. */
export function demoModeWanted(config: Config): boolean {
  if (config.DEMO_MODE !== 'auto') return config.DEMO_MODE === 'on';
  return !config.PLATFORM_BOT_TOKEN && config.TELEGRAM_API_ROOT === 'https://api.telegram.org';
}

/** Where demo mode's sandbox listens and keeps its world: a stable port, and DATA_DIR, so connected bots survive a restart. */
function demoSandboxPlace(config: Config): { port: number; stateFile: string } {
  return {
    port: config.SANDBOX_PORT ?? (config.PORT === 0 ? 0 : config.PORT + 1),
    stateFile: path.resolve(config.DATA_DIR, 'sandbox-world.json'),
  };
}

/**
 * `kovan start`: the whole product in one command. The API, and the workers: in-process on
 * the embedded database (PGlite serves one process), as supervised `kovan worker`
 * processes against PostgreSQL. In demo mode the Telegram sandbox runs in-process and a
 * demo tenant with a living conversation is seeded.
 */
export async function startAll(baseConfig: Config, print: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  await ensureMiniAppBuilt(print);
  const demo = demoModeWanted(baseConfig) ? await startDemoWorld(baseConfig.secretKey, demoSandboxPlace(baseConfig)) : undefined;
  const config: Config = demo ? { ...baseConfig, TELEGRAM_API_ROOT: demo.sandbox.apiRoot, PLATFORM_BOT_TOKEN: demo.platformBotToken } : baseConfig;
  const platform = await openPlatform(config);
  const api = await serveApi(platform);

  const embedded = platform.db.kind === 'pglite';
  const workerCount = embedded ? 1 : config.WORKERS ?? 2;
  if (embedded && (config.WORKERS ?? 1) > 1) print('WORKERS > 1 needs PostgreSQL (DATABASE_URL): the embedded database serves one process. Running 1 worker.');
  const inProcess = embedded ? createWorker(platform) : undefined;
  const supervisor = embedded ? undefined : new Supervisor(workerCount, { ...process.env, TELEGRAM_API_ROOT: config.TELEGRAM_API_ROOT, PLATFORM_BOT_TOKEN: config.PLATFORM_BOT_TOKEN, DEMO_MODE: 'off' }, platform.log, config.SHUTDOWN_TIMEOUT_MS);
  await inProcess?.start();
  supervisor?.start();

  let stopConversation = () => {};
  const demoWork = new AbortController();
  print(`Kovan is running at ${api.url}   (API docs: ${api.url}/api/docs)`);
  print(`Workers: ${workerCount} ${embedded ? '(in-process, embedded database)' : '(supervised processes)'}`);
  if (demo) {
    const { cast } = await seedDemoTenant(api.services, demo, platform.log, demoWork.signal);
    stopConversation = startDemoConversation(demo.sandbox, demo.demoBot.id, cast);
    print('');
    print('DEMO MODE: Telegram is the built-in sandbox (no real Telegram is contacted).');
    print(`  Telegram sandbox: ${demo.sandbox.apiRoot}   (control API: ${demo.sandbox.apiRoot}/sandbox; ${demo.sandbox.restored ? 'its world restored' : 'a new world'} from ${demoSandboxPlace(config).stateFile})`);
    print(`  Demo login: username "${demoLogin.username}", password "${demoLogin.password}"`);
    print(`  Operator login: username "${demoOperatorLogin.username}", password "${demoOperatorLogin.password}"`);
    print('  Set PLATFORM_BOT_TOKEN (or DEMO_MODE=off) to run against the real Telegram.');
  }
  return {
    url: api.url,
    async stop() {
      demoWork.abort();
      stopConversation();
      await api.stop();
      await inProcess?.stop();
      await supervisor?.stop();
      await closePlatform(platform);
      await demo?.sandbox.close();
    },
  };
}
