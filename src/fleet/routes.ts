import type { Api, Services } from '../http/types.js';
import { requireOperator } from '../tenancy/index.js';
import { FleetStore } from './fleet-store.js';
import { fleetSchema } from './contract.js';

/** The operators' view of the fleet: workers, sessions, leases and their health. */
export function fleetRoutes(api: Api, services: Services): void {
  const store = new FleetStore(services.db);
  api.get('/api/admin/fleet', {
    schema: { summary: 'Workers, sessions, leases and health (operators only)', tags: ['operator'], response: { 200: fleetSchema } },
    config: { auth: 'admin' },
  }, async (request) => {
    await services.db.withTenant(request.principal!.tenantId, (tx) => requireOperator(tx, 'see the fleet'));
    return store.overview();
  });
}
