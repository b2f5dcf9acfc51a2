import { Worker } from '../../src/fleet/index.js';
import { sessionDeps } from '../../src/roles/worker.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { startTestApi, registerTenant, type TestApi } from './api.js';
import { connectSandboxBot, startTestSandbox, type ConnectedBot } from './telegram.js';
import { eventually } from './processes.js';
import { changePlan } from '../../src/billing/index.js';
import type { PlanCode } from '../../src/tenancy/index.js';

export interface Runtime {
  api: TestApi;
  sandbox: Sandbox;
  worker: Worker;
  pool: string;
  /** A tenant on `plan` with a connected sandbox bot in one sandbox group, its session running. */
  tenant(options?: { plan?: PlanCode; privacy?: boolean; admin?: boolean; groupType?: 'group' | 'supergroup' }): Promise<RuntimeTenant>;
  close(): Promise<void>;
}

export interface RuntimeTenant extends Awaited<ReturnType<typeof registerTenant>> {
  bot: ConnectedBot;
  /** The group row once the session has discovered it. */
  groupId: string;
}

let pools = 0;

/**
 * A real Kovan runtime for end-to-end tests: the API, the Telegram sandbox, and one
 * in-process worker leasing sessions of a pool private to the test file.
 */
export async function startRuntime(options: { sandbox?: SandboxOptions; config?: Record<string, string> } = {}): Promise<Runtime> {
  const sandbox = await startTestSandbox(options.sandbox);
  const api = await startTestApi({ config: { TELEGRAM_API_ROOT: sandbox.apiRoot, LEASE_TTL_MS: '3000', POLL_TIMEOUT_SECONDS: '1', ...options.config } });
  const pool = `rt${process.pid}x${pools++}`;
  const worker = new Worker(sessionDeps(api.services), { pool, capacity: 100, leaseTtlMs: 3000, version: 'test', log: api.services.log });
  await worker.start();
  return {
    api, sandbox, worker, pool,
    async tenant({ plan = 'premium', privacy = false, admin = true, groupType = 'supergroup' } = {}) {
      const t = await registerTenant(api, 'rt');
      await api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET worker_pool = $2 WHERE id = $1`, [t.tenantId, pool]));
      await api.services.db.withTenant(t.tenantId, (tx) => changePlan(tx, plan));
      const bot = await connectSandboxBot(api, sandbox, t.tenantId, { privacy, admin, groupType });
      await worker.tick();
      const groupId = await eventually(async () => api.services.db.withTenant(t.tenantId, async (tx) =>
        (await tx.query<{ id: string }>(`SELECT id FROM groups WHERE chat_id = $1`, [bot.groupChatId])).rows[0]?.id), 15_000, 'the group discovered');
      return { ...t, bot, groupId };
    },
    async close() {
      await worker.stop();
      await api.close();
      await sandbox.close();
    },
  };
}
