import { Counter } from 'prom-client';
import { metrics } from '../platform/metrics.js';

/** Updates that entered the pipeline, by how they came (webhook to the API, or a worker's polling). */
export const updatesReceived = new Counter({ name: 'kovan_updates_received_total', help: 'Telegram updates received by source', labelNames: ['source'] as const, registers: [metrics] });
