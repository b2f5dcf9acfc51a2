/**
 * A real Kovan API in a child process, for tests of defects that block an event loop: the
 * test's own process stays free to time its requests out and to SIGKILL this one (a process
 * spinning in a loop ignores SIGTERM).
 *
 * Prints one JSON line `{ url, token, groupId }` once a tenant with a bot in one group is
 * registered. Then, for each JSON line `{ handBack: [offsetMs, …] }` on stdin, does what the
 * sender does when it puts claimed rows back with a forecast: sets the `not_before` of the
 * tenant's queued rows, in queue order, to an hour from now plus each offset; answers
 * `{ handedBack: n }`.
 */
import readline from 'node:readline';
import { deliveryRoutes } from '../../src/delivery/index.js';
import { routeModules } from '../../src/http/server.js';
import { Hour } from '../../src/platform/time.js';
import { registerTenant, startTestApi } from '../helpers/api.js';
import { insertBot, insertGroup } from './fixtures.js';

const api = await startTestApi(routeModules.includes(deliveryRoutes) ? {} : { extraRoutes: [deliveryRoutes] });
const owner = await registerTenant(api, 'plh');
const botId = await insertBot(api.services.db, owner.tenantId, 7_400_000_000 + (process.pid % 1000), `h${process.pid}_bot`);
const groupId = await insertGroup(api.services.db, owner.tenantId, botId, -4_200_001, 'Only');
process.stdout.write(`${JSON.stringify({ url: api.url, token: owner.token, groupId })}\n`);

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { handBack } = JSON.parse(line) as { handBack: number[] };
  const base = Date.now() + Hour;
  const handedBack = await api.services.db.withTenant(owner.tenantId, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(`SELECT id FROM outbox WHERE tenant_id = $1 AND status = 'queued' ORDER BY priority, seq`, [tx.tenantId]);
    const moved = rows.slice(0, handBack.length);
    await tx.query(
      `UPDATE outbox o SET not_before = r.not_before FROM unnest($2::uuid[], $3::timestamptz[]) AS r(id, not_before) WHERE o.tenant_id = $1 AND o.id = r.id`,
      [tx.tenantId, moved.map((r) => r.id), moved.map((_, i) => new Date(base + handBack[i]!))]);
    return moved.length;
  });
  process.stdout.write(`${JSON.stringify({ handedBack })}\n`);
}
await api.close();
