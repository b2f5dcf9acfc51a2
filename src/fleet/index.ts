/** Fleet: worker processes that lease tenant sessions, with fencing, rebalancing and supervision. */
export { Worker, sessionBackoff, type WorkerOptions } from './worker.js';
export { Supervisor, restartDelay } from './supervisor.js';
export { FleetStore } from './fleet-store.js';
export { pinTenantToPool, poolName } from './placement.js';
export { assertLease, LeaseLostError, type SessionLease } from '../platform/fencing.js';
export { fleetRoutes } from './routes.js';
