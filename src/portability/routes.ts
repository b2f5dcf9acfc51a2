import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { AppError } from '../platform/errors.js';
import { Hour } from '../platform/time.js';
import { reachTenant, recordAudit } from '../tenancy/index.js';
import { deleteTenant, describeTenantData } from './tenant-delete.js';
import { stageTenantArchive } from './tenant-export.js';
import { tenantDataSchema } from '../operator/contract.js';

const tenantParams = z.strictObject({ id: z.uuid() });

/**
 * Data portability and tenant administration:
 * - `GET /api/tenant/export`: the owner downloads the tenant's complete data as a tenant
 *   archive (docs/PORTABILITY.md), WITHOUT credentials: bot tokens, webhook secrets and
 *   password hashes are null in it. Moving a tenant with its secrets is an operator's CLI job.
 * - `GET` / `DELETE /api/admin/tenants/:id`: operators (members of a tenant marked
 *   `is_operator`) see and delete any tenant. Anyone else sees only their own tenant and
 *   gets 404 for every other id, so the routes leak no tenant's existence.
 */
export function portabilityRoutes(api: Api, services: Services): void {
  api.get('/api/tenant/export', {
    schema: {
      summary: "Download all of the tenant's data (tar.gz of NDJSON + manifest); credentials are not included",
      tags: ['tenant'],
      response: { 200: { description: 'The tenant archive (docs/PORTABILITY.md)', content: { 'application/gzip': { schema: z.unknown().meta({ type: 'string', format: 'binary' }) } } } },
    },
    config: { auth: 'owner', rateLimit: { max: 5, windowMs: Hour, key: 'principal' } },
  }, async (request, reply) => {
    const staged = await stageTenantArchive(services.db, request.principal!.tenantId, { mode: 'omitted' });
    const body = new PassThrough();
    staged.writeTo(body)
      .catch((error) => { request.log.error({ err: error }, 'tenant export stream failed'); body.destroy(error); })
      .finally(() => staged.dispose());
    const day = staged.manifest.createdAt.slice(0, 10);
    return reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="kovan-tenant-${staged.manifest.source.tenantId}-${day}.tar.gz"`)
      .header('cache-control', 'no-store')
      .send(body);
  });

  api.get('/api/admin/tenants/:id', {
    schema: { summary: 'A tenant and its row count per table (operators: any tenant; others: their own)', tags: ['admin'], params: tenantParams, response: { 200: z.object({ tenant: tenantDataSchema }) } },
    config: { auth: 'admin', resource: 'tenant' },
  }, async (request) => {
    await services.db.withTenant(request.principal!.tenantId, (tx) => reachTenant(tx, request.params.id));
    return { tenant: await describeTenantData(services.db, request.params.id) };
  });

  api.delete('/api/admin/tenants/:id', {
    schema: { summary: 'Delete a tenant and every row of its data, in one transaction (operators only)', tags: ['admin'], params: tenantParams, response: { 200: z.object({ deleted: tenantDataSchema }) } },
    config: { auth: 'admin', resource: 'tenant' },
  }, async (request) => {
    const principal = request.principal!;
    const id = request.params.id;
    await services.db.withTenant(principal.tenantId, (tx) => reachTenant(tx, id, { operatorOnly: 'delete tenants' }));
    if (id === principal.tenantId) throw new AppError('conflict', 'An operator cannot delete the tenant it is logged in to');
    const deleted = await deleteTenant(services.db, id);
    await services.db.withTenant(principal.tenantId, (tx) => recordAudit(tx, {
      memberId: principal.memberId, action: 'tenant.deleted', entity: 'tenant', entityId: id,
      before: { name: deleted.name, rows: deleted.rows },
    }));
    return { deleted };
  });
}
