import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry. Names follow Prometheus conventions with a `kovan_`
 * prefix; labels are bounded sets (never a tenant or user id).
 */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

export const httpRequestDuration = new Histogram({
  name: 'kovan_http_request_duration_seconds',
  help: 'HTTP request latency by route template, method and status code',
  labelNames: ['route', 'method', 'status_code'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [metrics],
});

export const dbPoolConnections = new Gauge({
  name: 'kovan_db_pool_connections',
  help: 'Database pool connections by state',
  labelNames: ['state'] as const,
  registers: [metrics],
});

export const authFailures = new Counter({
  name: 'kovan_auth_failures_total',
  help: 'Rejected logins and requests by reason',
  labelNames: ['reason'] as const,
  registers: [metrics],
});
