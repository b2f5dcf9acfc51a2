import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { Principal } from '../auth/index.js';
import type { Api, Services } from '../http/types.js';
import { AppError, notFound } from '../platform/errors.js';
import { Hour } from '../platform/time.js';
import { recordAudit } from '../tenancy/index.js';
import { deleteTenant, describeTenantData } from './tenant-delete.js';
import { stageTenantArchive } from './tenant-export.js';

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
    schema: { summary: 'A tenant and its row count per table (operators: any tenant; others: their own)', tags: ['admin'], params: tenantParams },
    config: { auth: 'admin', resource: 'tenant' },
  }, async (request) => {
    await authorizeTenant(services, request.principal!, request.params.id);
    return { tenant: await describeTenantData(services.db, request.params.id) };
  });

  api.delete('/api/admin/tenants/:id', {
    schema: { summary: 'Delete a tenant and every row of its data, in one transaction (operators only)', tags: ['admin'], params: tenantParams },
    config: { auth: 'admin', resource: 'tenant' },
  }, async (request) => {
    const principal = request.principal!;
    const id = request.params.id;
    const { operator } = await authorizeTenant(services, principal, id);
    if (!operator) throw new AppError('forbidden', 'Only operators delete tenants');
    if (id === principal.tenantId) throw new AppError('conflict', 'An operator cannot delete the tenant it is logged in to');
    const deleted = await deleteTenant(services.db, id);
    await services.db.withTenant(principal.tenantId, (tx) => recordAudit(tx, {
      memberId: principal.memberId, action: 'tenant.deleted', entity: 'tenant', entityId: id,
      before: { name: deleted.name, rows: deleted.rows },
    }));
    return { deleted };
  });
}

/** Operators reach every tenant; anyone else only their own, and other ids look absent. */
async function authorizeTenant(services: Services, principal: Principal, tenantId: string): Promise<{ operator: boolean }> {
  const operator = await services.db.withTenant(principal.tenantId, async (tx) =>
    (await tx.query<{ is_operator: boolean }>('SELECT is_operator FROM tenants')).rows[0]?.is_operator === true);
  if (!operator && tenantId !== principal.tenantId) throw notFound('tenant');
  return { operator };
}
