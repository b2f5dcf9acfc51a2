/** The operator area: every tenant at a glance, and managing their plans (docs/BILLING.md). */
export { listAdminTenants, getAdminTenant, type AdminTenant } from './tenant-overview.js';
export { operatorRoutes } from './routes.js';
