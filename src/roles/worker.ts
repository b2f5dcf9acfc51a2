import Fastify from 'fastify';
import type { Config } from '../config.js';
import { Worker } from '../fleet/index.js';
import { registerOpsRoutes } from '../http/ops-routes.js';
import { platformBotFrom } from '../notify/index.js';
import { closePlatform, openPlatform, type Platform, type PlatformOverrides } from '../platform/index.js';
import type { SessionDeps } from '../sessions/tenant-session.js';

export const kovanVersion = process.env.npm_package_version ?? '0.1.0';

/**
 * What a tenant session needs from the platform. The long-poll timeout is capped at a third
 * of the lease TTL: a paused worker's last poll then ends before its lease can move, so a
 * bot never has two pollers at once.
 */
export function sessionDeps(platform: Platform): SessionDeps {
  const { config } = platform;
  return {
    db: platform.db, cache: platform.cache, secrets: platform.secrets, log: platform.log, mailer: platform.mailer, platformBot: platformBotFrom(config),
    apiRoot: config.TELEGRAM_API_ROOT, publicUrl: config.PUBLIC_URL,
    pollTimeoutSeconds: Math.min(config.POLL_TIMEOUT_SECONDS, Math.floor(config.LEASE_TTL_MS / 3000)),
  };
}

export function createWorker(platform: Platform): Worker {
  return new Worker(sessionDeps(platform), {
    pool: platform.config.WORKER_POOL, capacity: platform.config.WORKER_CAPACITY, leaseTtlMs: platform.config.LEASE_TTL_MS,
    version: kovanVersion, log: platform.log,
  });
}

/**
 * The `worker` role: leases tenant sessions and runs them. Serves /healthz, /readyz and
 * /metrics on PORT for probes and Prometheus. SIGTERM drains: sessions stop, in-flight
 * sends finish, leases are released for an immediate hand-over.
 */
export async function startWorker(config: Config, overrides: PlatformOverrides = {}): Promise<{ worker: Worker; url: string; stop(): Promise<void> }> {
  const platform = await openPlatform(config, overrides);
  const worker = createWorker(platform);
  await worker.start();
  const ops = Fastify({ logger: false });
  registerOpsRoutes(ops, platform.db, { maxEventLoopDelayMs: config.EVENT_LOOP_READY_MAX_MS });
  const url = await ops.listen({ port: config.PORT, host: config.HOST });
  return {
    worker,
    url,
    async stop() {
      await worker.stop();
      await ops.close();
      await closePlatform(platform);
    },
  };
}
