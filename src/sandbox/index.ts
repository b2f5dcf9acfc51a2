import type { CallLog } from './call-log.js';
import type { SandboxOptions } from './config.js';
import { resolveConfig } from './config.js';
import { SandboxCore } from './core.js';
import { createHttpServer } from './http/server.js';
import { persistSandbox } from './persistence.js';
import type { SandboxWorld } from './world/world.js';
import { createWorld } from './world/world.js';

export type { ApiCall, CallFilter } from './call-log.js';
export type { RateLimits, SandboxOptions } from './config.js';
export { defaultRateLimits } from './config.js';
export { BotApiError, SandboxError } from './errors.js';
export type { FaultSpec } from './faults.js';
export type { CallbackAnswer, ChatMessage } from './store.js';
export type { CreateBotInput, CreatedBot, CreateUserInput } from './world/accounts.js';
export type { ButtonPress, UserMessageInput } from './world/conversations.js';
export type { AddBotInput, BotRightsInput, CreateGroupInput, JoinInput, JoinRequestInput, SandboxGroupSummary } from './world/groups.js';
export type { InvoiceRef, PaymentOutcome } from './world/payments.js';
export type { SandboxWorld } from './world/world.js';

/** How often a changed world is written to its state file: a crash loses at most this much. */
const stateWriteIntervalMs = 2_000;

/** A running sandbox: where clients connect, the simulated world, and the way to stop it. */
export interface Sandbox extends SandboxWorld {
  /** What a client sets as its API root, e.g. `http://127.0.0.1:40123` (grammY `client.apiRoot`, telegraf `telegram.apiRoot`). */
  readonly apiRoot: string;
  /** Every Bot API call every bot made (`list()`, `sentMessages()`, `clear()`). */
  readonly calls: CallLog;
  /** 429s answered so far (flood control and slow mode), for benchmarks to report. */
  readonly rateLimitHits: number;
  /** The time scale the sandbox runs with: multiply Telegram's durations (and retry_after) by it. */
  readonly timeScale: number;
  /** Whether the world was read back from `stateFile` (a restart) rather than started empty. */
  readonly restored: boolean;
  /** Ends long polls and webhook deliveries, writes the world to `stateFile` if one is set, and closes the server. */
  close(): Promise<void>;
}

/**
 * Starts an offline emulation of the Telegram Bot API on 127.0.0.1 (a random port unless given).
 * Point any Bot API client at `apiRoot`; drive users, groups and payments through the returned
 * object (or over HTTP under /sandbox/, see docs/SANDBOX.md).
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveConfig(options);
  const core = new SandboxCore(config);
  const world = createWorld(core);
  const persisted = options.stateFile ? persistSandbox(core, options.stateFile, stateWriteIntervalMs) : undefined;
  const app = createHttpServer(core, world);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox is not listening on a TCP port');
  return {
    ...world,
    apiRoot: `http://${config.host}:${address.port}`,
    calls: core.calls,
    get rateLimitHits() {
      return core.rateLimitHits;
    },
    timeScale: config.timeScale,
    restored: persisted?.restored ?? false,
    async close() {
      core.quiesce();
      persisted?.stop();
      await persisted?.flush();
      await app.close();
    },
  };
}
