import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../platform/crypto.js';
import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { recordAudit, requireFeature } from '../tenancy/index.js';
import type { Webhook, WebhookEventType } from './contract.js';

export { webhookEventTypes, type Webhook, type WebhookEventType } from './contract.js';

/** Webhooks one tenant may register. */
export const maxWebhooks = 10;

const columns = `id, url, description, secret_last4 AS "secretLast4", events, enabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface WebhookInput {
  url: string;
  description?: string | null;
  events?: WebhookEventType[];
  enabled?: boolean;
}

/**
 * Registers a webhook (Premium: `api_access`). The signing secret is returned this once;
 * it is stored sealed (Kovan needs it in clear to sign), bound to the tenant.
 */
export async function createWebhook(tx: TenantTx, secrets: SecretBox, input: WebhookInput, memberId: string): Promise<{ webhook: Webhook; secret: string }> {
  await requireFeature(tx, 'api_access', 'Webhooks');
  const count = Number((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhooks`)).rows[0]!.n);
  if (count >= maxWebhooks) throw new AppError('conflict', `At most ${maxWebhooks} webhooks per account; delete one first`);
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const { rows } = await tx.query<Webhook>(
    `INSERT INTO webhooks (tenant_id, url, description, secret_sealed, secret_last4, events, enabled, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${columns}`,
    [tx.tenantId, input.url, input.description ?? null, secrets.seal(secret, tx.tenantId), secret.slice(-4), input.events ?? [], input.enabled ?? true, memberId]);
  const webhook = rows[0]!;
  await recordAudit(tx, { memberId, action: 'webhook.created', entity: 'webhook', entityId: webhook.id, after: webhook });
  return { webhook, secret };
}

export async function listWebhooks(tx: TenantTx): Promise<Webhook[]> {
  return (await tx.query<Webhook>(`SELECT ${columns} FROM webhooks ORDER BY created_at, id`)).rows;
}

export async function getWebhook(tx: TenantTx, id: string): Promise<Webhook> {
  const { rows } = await tx.query<Webhook>(`SELECT ${columns} FROM webhooks WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Webhook');
  return rows[0];
}

export async function updateWebhook(tx: TenantTx, id: string, changes: Partial<WebhookInput>, memberId: string): Promise<Webhook> {
  const before = await getWebhook(tx, id);
  await requireFeature(tx, 'api_access', 'Webhooks');
  const { rows } = await tx.query<Webhook>(
    `UPDATE webhooks SET url = coalesce($2, url), description = CASE WHEN $3::boolean THEN $4 ELSE description END,
            events = coalesce($5, events), enabled = coalesce($6, enabled), updated_at = now()
      WHERE id = $1 RETURNING ${columns}`,
    [id, changes.url ?? null, changes.description !== undefined, changes.description ?? null, changes.events ?? null, changes.enabled ?? null]);
  await recordAudit(tx, { memberId, action: 'webhook.updated', entity: 'webhook', entityId: id, before, after: rows[0] });
  return rows[0]!;
}

/** Deletes a webhook and its delivery log. */
export async function deleteWebhook(tx: TenantTx, id: string, memberId: string): Promise<void> {
  const before = await getWebhook(tx, id);
  await tx.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
  await recordAudit(tx, { memberId, action: 'webhook.deleted', entity: 'webhook', entityId: id, before });
}
