import { z } from 'zod';
import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { getTemplate } from '../templates/index.js';
import { recordAudit, requireFeature } from '../tenancy/index.js';
import { regexProblem } from './matcher.js';
import type { ReplyRule } from './contract.js';

export type { ReplyRule } from './contract.js';

export const replyRuleInput = z.strictObject({
  name: z.string().trim().min(1).max(80),
  triggerType: z.enum(['keyword', 'regex', 'command']),
  trigger: z.string().trim().min(1).max(200),
  caseSensitive: z.boolean().default(false),
  scope: z.enum(['groups', 'private', 'both']).default('both'),
  groupIds: z.array(z.uuid()).max(500).default([]),
  templateId: z.uuid(),
  priority: z.number().int().min(0).max(10_000).default(100),
  cooldownUserSeconds: z.number().int().min(0).max(7 * 86_400).default(0),
  cooldownChatSeconds: z.number().int().min(0).max(7 * 86_400).default(0),
  enabled: z.boolean().default(true),
});
export type ReplyRuleInput = z.infer<typeof replyRuleInput>;

const columns = `id, name, trigger_type AS "triggerType", trigger, case_sensitive AS "caseSensitive", scope, group_ids AS "groupIds",
  template_id AS "templateId", priority, cooldown_user_seconds AS "cooldownUserSeconds", cooldown_chat_seconds AS "cooldownChatSeconds",
  enabled, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Rules in the order they are tried: priority, then age. The first match wins. */
export async function listReplyRules(tx: TenantTx, options: { enabledOnly?: boolean } = {}): Promise<ReplyRule[]> {
  return (await tx.query<ReplyRule>(`SELECT ${columns} FROM reply_rules WHERE (NOT $1 OR enabled) ORDER BY priority, created_at, id`, [options.enabledOnly ?? false])).rows;
}

/**
 * The enabled rules, in the order they are tried, as one JSON array: the update pipeline
 * fetches them with its first statement (most updates are tried against the rules), which
 * saves the update a round trip.
 */
export const enabledReplyRulesSubquery = `(SELECT coalesce(json_agg(r ORDER BY r.priority, r."createdAt", r.id), '[]'::json)
  FROM (SELECT ${columns} FROM reply_rules WHERE enabled) r)`;

export async function getReplyRule(tx: TenantTx, id: string): Promise<ReplyRule> {
  const { rows } = await tx.query<ReplyRule>(`SELECT ${columns} FROM reply_rules WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Reply rule');
  return rows[0];
}

async function checkRule(tx: TenantTx, rule: ReplyRuleInput): Promise<void> {
  await requireFeature(tx, 'auto_reply', 'Auto-reply rules');
  if (rule.triggerType === 'regex') {
    const problem = regexProblem(rule.trigger);
    if (problem) throw new AppError('validation_failed', `The regular expression is invalid: ${problem}`, { fields: [{ field: 'trigger', message: problem }] });
  }
  const template = await getTemplate(tx, rule.templateId).catch(() => undefined);
  if (template?.kind !== 'reply') throw new AppError('validation_failed', 'templateId must name one of your reply templates', { fields: [{ field: 'templateId', message: 'not a reply template' }] });
}

export async function createReplyRule(tx: TenantTx, input: ReplyRuleInput, memberId?: string): Promise<ReplyRule> {
  await checkRule(tx, input);
  const { rows } = await tx.query<ReplyRule>(
    `INSERT INTO reply_rules (tenant_id, name, trigger_type, trigger, case_sensitive, scope, group_ids, template_id, priority,
                              cooldown_user_seconds, cooldown_chat_seconds, enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${columns}`,
    [tx.tenantId, input.name, input.triggerType, input.trigger, input.caseSensitive, input.scope, input.groupIds, input.templateId,
      input.priority, input.cooldownUserSeconds, input.cooldownChatSeconds, input.enabled]);
  await recordAudit(tx, { memberId, action: 'reply_rule.created', entity: 'reply_rule', entityId: rows[0]!.id, after: rows[0] });
  return rows[0]!;
}

export async function updateReplyRule(tx: TenantTx, id: string, changes: Partial<ReplyRuleInput>, memberId?: string): Promise<ReplyRule> {
  const before = await getReplyRule(tx, id);
  const merged = { ...before, ...changes };
  await checkRule(tx, merged);
  const { rows } = await tx.query<ReplyRule>(
    `UPDATE reply_rules SET name = $2, trigger_type = $3, trigger = $4, case_sensitive = $5, scope = $6, group_ids = $7, template_id = $8,
            priority = $9, cooldown_user_seconds = $10, cooldown_chat_seconds = $11, enabled = $12, updated_at = now()
      WHERE id = $1 RETURNING ${columns}`,
    [id, merged.name, merged.triggerType, merged.trigger, merged.caseSensitive, merged.scope, merged.groupIds, merged.templateId,
      merged.priority, merged.cooldownUserSeconds, merged.cooldownChatSeconds, merged.enabled]);
  await recordAudit(tx, { memberId, action: 'reply_rule.updated', entity: 'reply_rule', entityId: id, before, after: rows[0] });
  return rows[0]!;
}

export async function deleteReplyRule(tx: TenantTx, id: string, memberId?: string): Promise<void> {
  const before = await getReplyRule(tx, id);
  await tx.query(`DELETE FROM reply_rule_hits WHERE rule_id = $1`, [id]);
  await tx.query(`DELETE FROM reply_rules WHERE id = $1`, [id]);
  await recordAudit(tx, { memberId, action: 'reply_rule.deleted', entity: 'reply_rule', entityId: id, before });
}

/**
 * Claims a rule's cooldowns for this user and chat: true (and the clocks restart) when the
 * rule may fire now, false while a cooldown still runs.
 */
export async function claimCooldown(tx: TenantTx, rule: Pick<ReplyRule, 'id' | 'cooldownUserSeconds' | 'cooldownChatSeconds'>, userId: number, chatId: number): Promise<boolean> {
  const scopes = [
    ...(rule.cooldownUserSeconds > 0 ? [[`u:${userId}`, rule.cooldownUserSeconds] as const] : []),
    ...(rule.cooldownChatSeconds > 0 ? [[`c:${chatId}`, rule.cooldownChatSeconds] as const] : []),
  ];
  if (scopes.length === 0) return true;
  const { rows } = await tx.query<{ busy: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM reply_rule_hits h JOIN unnest($2::text[], $3::int[]) AS s(key, seconds) ON s.key = h.scope_key
                     WHERE h.rule_id = $1 AND h.last_at > now() - s.seconds * interval '1 second') AS busy`,
    [rule.id, scopes.map((s) => s[0]), scopes.map((s) => s[1])]);
  if (rows[0]?.busy) return false;
  await tx.query(
    `INSERT INTO reply_rule_hits (tenant_id, rule_id, scope_key, last_at) SELECT $1, $2, key, now() FROM unnest($3::text[]) AS key
     ON CONFLICT (tenant_id, rule_id, scope_key) DO UPDATE SET last_at = now()`, [tx.tenantId, rule.id, scopes.map((s) => s[0])]);
  return true;
}
