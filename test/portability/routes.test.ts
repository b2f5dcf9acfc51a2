import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createSession } from '../../src/auth/index.js';
import { extractTarball } from '../../src/portability/tarball.js';
import { archiveEntryName, type ArchiveManifest } from '../../src/portability/archive-format.js';
import { readTenantCatalog } from '../../src/portability/catalog.js';
import { startTestApi, registerTenant, type TestApi } from '../helpers/api.js';

let api: TestApi;
type Tenant = Awaited<ReturnType<typeof registerTenant>>;
let a: Tenant;
let b: Tenant;
let operator: Tenant;
const work = mkdtempSync(path.join(tmpdir(), 'kovan-routes-test-'));

before(async () => {
  api = await startTestApi();
  [a, b, operator] = [await registerTenant(api, 'expa'), await registerTenant(api, 'expb'), await registerTenant(api, 'oper')];
  await api.services.db.withOwner((tx) => tx.query('UPDATE tenants SET is_operator = true WHERE id = $1', [operator.tenantId]));
});
after(async () => {
  await api.close();
  await rm(work, { recursive: true, force: true });
});

/** A second login of `tenant` with the given role, straight through the session service. */
async function memberWithRole(tenant: Tenant, role: 'viewer' | 'admin'): Promise<string> {
  return api.services.db.withTenant(tenant.tenantId, async (tx) => {
    const name = `${role}${tenant.username}`.slice(0, 32);
    const { rows: [member] } = await tx.query<{ id: string }>(
      `INSERT INTO members (tenant_id, username, email, role) VALUES ($1, $2, $3, $4) RETURNING id`, [tenant.tenantId, name, `${name}@example.test`, role]);
    return createSession(tx, member!.id);
  });
}

async function download(token: string): Promise<{ status: number; headers: Headers; manifest?: ArchiveManifest; rows: Record<string, Array<Record<string, unknown>>> }> {
  const response = await fetch(`${api.url}/api/tenant/export`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) return { status: response.status, headers: response.headers, rows: {} };
  const dir = mkdtempSync(path.join(work, 'dl-'));
  await extractTarball(Readable.fromWeb(response.body as never), dir, { allowedName: archiveEntryName, maxTotalBytes: 1e8 });
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ArchiveManifest;
  const rows: Record<string, Array<Record<string, unknown>>> = {};
  for (const t of manifest.tables) rows[t.name] = (await readFile(path.join(dir, t.file), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { status: 200, headers: response.headers, manifest, rows };
}

test('the owner downloads every row of its own tenant, without credentials', async () => {
  const got = await download(a.token);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'application/gzip');
  assert.match(got.headers.get('content-disposition')!, new RegExp(`attachment; filename="kovan-tenant-${a.tenantId}-\\d{4}-\\d{2}-\\d{2}\\.tar\\.gz"`));
  assert.equal(got.manifest!.secrets, 'omitted');
  assert.deepEqual(got.rows.tenants!.map((t) => t.id), [a.tenantId]);
  assert.deepEqual(got.rows.members!.map((m) => [m.username, m.password_hash]), [[a.username, null]]);
  assert.equal(got.rows.subscriptions!.length, 1);
  const text = JSON.stringify(got.rows);
  for (const other of [b, operator]) assert.ok(!text.includes(other.tenantId) && !text.includes(other.username), "no other tenant's data");
});

test('only the owner may download: a viewer or an admin gets 403', async () => {
  assert.equal((await download(await memberWithRole(a, 'viewer'))).status, 403);
  assert.equal((await download(await memberWithRole(a, 'admin'))).status, 403);
});

test("a member sees its own tenant's summary; any other tenant id is a 404, deleting is for operators", async () => {
  const own = await api.request('GET', `/api/admin/tenants/${a.tenantId}`, { token: a.token });
  assert.equal(own.status, 200);
  assert.equal(own.body.tenant.id, a.tenantId);
  assert.equal(own.body.tenant.rows.subscriptions, 1);
  for (const [method, id] of [['GET', b.tenantId], ['DELETE', b.tenantId], ['DELETE', operator.tenantId]] as const) {
    const r = await api.request(method, `/api/admin/tenants/${id}`, { token: a.token });
    assert.equal(r.status, 404, `${method} ${id}: ${r.text}`);
    assert.equal(r.body.code, 'not_found');
  }
  const self = await api.request('DELETE', `/api/admin/tenants/${a.tenantId}`, { token: a.token });
  assert.equal(self.status, 403);
  assert.equal((await api.request('GET', `/api/admin/tenants/not-a-uuid`, { token: a.token })).status, 400);
});

test('an operator deletes a tenant completely: every row in every tenant table, its sessions with it', async () => {
  const doomed = await registerTenant(api, 'doom');
  const seen = await api.request('GET', `/api/admin/tenants/${doomed.tenantId}`, { token: operator.token });
  assert.equal(seen.status, 200);
  const deleted = await api.request('DELETE', `/api/admin/tenants/${doomed.tenantId}`, { token: operator.token });
  assert.equal(deleted.status, 200, deleted.text);
  assert.equal(deleted.body.deleted.rows.members, 1);
  assert.equal(deleted.body.deleted.rows.sessions, 1);

  assert.equal((await api.request('GET', '/api/auth/me', { token: doomed.token })).status, 401, 'its sessions died with it');
  assert.equal((await api.request('GET', `/api/admin/tenants/${doomed.tenantId}`, { token: operator.token })).status, 404);
  const left = await api.services.db.withOwner(async (tx) => {
    const catalog = await readTenantCatalog(tx);
    let n = Number((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM tenants WHERE id = $1', [doomed.tenantId])).rows[0]!.n);
    for (const t of catalog.tables) n += Number((await tx.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${t.name}" WHERE tenant_id = $1`, [doomed.tenantId])).rows[0]!.n);
    return n;
  });
  assert.equal(left, 0);
  const audit = await api.services.db.withTenant(operator.tenantId, async (tx) =>
    (await tx.query<{ entity_id: string }>(`SELECT entity_id FROM audit_log WHERE action = 'tenant.deleted'`)).rows.map((r) => r.entity_id));
  assert.deepEqual(audit, [doomed.tenantId]);
  assert.equal((await api.request('GET', '/api/auth/me', { token: b.token })).status, 200, 'other tenants are untouched');

  const self = await api.request('DELETE', `/api/admin/tenants/${operator.tenantId}`, { token: operator.token });
  assert.equal(self.status, 409);
});
