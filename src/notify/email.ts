import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { Mailer } from '../platform/mail.js';

export interface EmailDeps {
  db: Database;
  mailer: Mailer;
  log: Logger;
}

/**
 * E-mails the tenant's pending notifications to its owners (members with role `owner`).
 * Called after the transaction that recorded them: by the API after a request, and by the
 * tenant's outbox drainer on its housekeeping tick. Rows are taken (`sending`) in one
 * committed step before the mail goes out, so two callers never mail the same notice; a
 * crash in between leaves it `sending`, i.e. an e-mail is sent at most once. Returns how
 * many notifications were mailed.
 */
export async function emailPendingNotifications(deps: EmailDeps, tenantId: string): Promise<number> {
  const { taken, owners } = await deps.db.withTenant(tenantId, async (tx) => {
    const taken = (await tx.query<{ id: string; title: string; body: string }>(
      `UPDATE notifications SET email_status = 'sending'
        WHERE tenant_id = $1 AND email_status = 'pending'
        RETURNING id, title, body`, [tenantId])).rows;
    if (taken.length === 0) return { taken, owners: [] };
    const owners = (await tx.query<{ email: string }>(
      `SELECT email FROM members WHERE tenant_id = $1 AND role = 'owner' ORDER BY created_at`, [tenantId])).rows.map((r) => r.email);
    return { taken, owners };
  });
  if (taken.length === 0) return 0;

  const results: Array<{ id: string; error: string | null }> = [];
  for (const notification of taken) {
    try {
      for (const to of owners) await deps.mailer.send({ to, subject: `Kovan: ${notification.title}`, text: notification.body });
      results.push({ id: notification.id, error: owners.length === 0 ? 'no owner e-mail address' : null });
    } catch (error) {
      deps.log.warn({ err: error, tenant_id: tenantId, notification_id: notification.id }, 'notification e-mail failed');
      results.push({ id: notification.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  await deps.db.withTenant(tenantId, (tx) => tx.query(
    `UPDATE notifications n SET email_status = CASE WHEN r.error IS NULL THEN 'sent' ELSE 'failed' END,
            email_error = r.error, emailed_at = now()
       FROM unnest($2::uuid[], $3::text[]) AS r(id, error)
      WHERE n.tenant_id = $1 AND n.id = r.id`,
    [tenantId, results.map((r) => r.id), results.map((r) => r.error)]));
  return results.filter((r) => r.error === null).length;
}
