import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import { eventLoopDelay } from '../platform/event-loop.js';
import { dbPoolConnections, metrics } from '../platform/metrics.js';

export interface ReadinessLimits {
  /** The event-loop delay (worst of the last seconds) past which the process says it is not ready. */
  maxEventLoopDelayMs: number;
}

/**
 * `/healthz` (the process is up), `/readyz` (the database answers and the event loop is not
 * lagging; 503 otherwise) and `/metrics` (Prometheus). Every role serves them: api, worker
 * and the all-in-one start. A lagging loop makes the load balancer route around the process
 * until it recovers; the liveness side (a loop blocked for good) is the watchdog's.
 */
export function registerOpsRoutes(app: FastifyInstance, db: Database, limits: ReadinessLimits): void {
  const loop = eventLoopDelay();
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await db.ping();
    const eventLoopDelayMs = Math.round(loop.recentMaxMs());
    const eventLoop = eventLoopDelayMs <= limits.maxEventLoopDelayMs;
    const ready = database && eventLoop;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, eventLoop, eventLoopDelayMs });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const pool = db.poolStats();
    dbPoolConnections.set({ state: 'total' }, pool.total);
    dbPoolConnections.set({ state: 'idle' }, pool.idle);
    dbPoolConnections.set({ state: 'waiting' }, pool.waiting);
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
}
