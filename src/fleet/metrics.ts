import { Counter, Gauge } from 'prom-client';
import { metrics } from '../platform/metrics.js';

export const workerSessions = new Gauge({ name: 'kovan_worker_sessions', help: 'Tenant sessions this worker runs', registers: [metrics] });
export const workerCapacity = new Gauge({ name: 'kovan_worker_capacity_weight', help: 'Capacity of this worker in weight units', registers: [metrics] });
export const workerLoad = new Gauge({ name: 'kovan_worker_load_weight', help: 'Weight of the sessions this worker runs', registers: [metrics] });
export const sessionsByState = new Gauge({ name: 'kovan_sessions', help: 'Tenant sessions on this worker by state', labelNames: ['state'] as const, registers: [metrics] });
export const leaseChanges = new Counter({
  name: 'kovan_lease_changes_total',
  help: 'Lease events on this worker: granted, released, shed (rebalance), expired (lost), fenced (self-fenced), restarted (bots changed)',
  labelNames: ['reason'] as const,
  registers: [metrics],
});
export const sessionFailures = new Counter({ name: 'kovan_session_failures_total', help: 'Session failures by kind', labelNames: ['kind'] as const, registers: [metrics] });
