import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/index.js';
import { dbPoolConnections, metrics } from '../platform/metrics.js';

/**
 * `/healthz` (the process is up), `/readyz` (the database answers; 503 otherwise) and
 * `/metrics` (Prometheus). Every role serves them: api, worker and the all-in-one start.
 */
export function registerOpsRoutes(app: FastifyInstance, db: Database): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const database = await db.ping();
    return reply.status(database ? 200 : 503).send({ status: database ? 'ready' : 'unavailable', database });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const pool = db.poolStats();
    dbPoolConnections.set({ state: 'total' }, pool.total);
    dbPoolConnections.set({ state: 'idle' }, pool.idle);
    dbPoolConnections.set({ state: 'waiting' }, pool.waiting);
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
}
