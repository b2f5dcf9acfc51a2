import type { TenantTx } from '../platform/db/index.js';
import { AppError, notFound } from '../platform/errors.js';
import { recordAudit, requireFeature } from '../tenancy/index.js';
import type { Template, TemplateKind } from './contract.js';
import { isAdvancedTemplate, validateTemplate } from './render.js';

export type { Template, TemplateKind } from './contract.js';


const columns = `id, kind, name, content, advanced, created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function listTemplates(tx: TenantTx, kind?: TemplateKind): Promise<Template[]> {
  return (await tx.query<Template>(`SELECT ${columns} FROM templates WHERE ($1::text IS NULL OR kind = $1) ORDER BY kind, name`, [kind ?? null])).rows;
}

export async function getTemplate(tx: TenantTx, id: string): Promise<Template> {
  const { rows } = await tx.query<Template>(`SELECT ${columns} FROM templates WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound('Template');
  return rows[0];
}

/** Checks content before it is stored: valid, and advanced syntax only on plans that have it. */
async function checkContent(tx: TenantTx, content: string): Promise<boolean> {
  await validateTemplate(content);
  const advanced = isAdvancedTemplate(content);
  if (advanced) await requireFeature(tx, 'advanced_templates', 'Conditions and filters in templates');
  return advanced;
}

export async function createTemplate(tx: TenantTx, input: { kind: TemplateKind; name: string; content: string }, memberId?: string): Promise<Template> {
  const advanced = await checkContent(tx, input.content);
  try {
    const { rows } = await tx.query<Template>(
      `INSERT INTO templates (tenant_id, kind, name, content, advanced, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [tx.tenantId, input.kind, input.name, input.content, advanced, memberId ?? null]);
    await recordAudit(tx, { memberId, action: 'template.created', entity: 'template', entityId: rows[0]!.id, after: rows[0] });
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', `A ${input.kind} template named "${input.name}" already exists`, { fields: [{ field: 'name', message: 'is already used' }] });
    throw error;
  }
}

export async function updateTemplate(tx: TenantTx, id: string, changes: { name?: string; content?: string }, memberId?: string): Promise<Template> {
  const before = await getTemplate(tx, id);
  const advanced = changes.content === undefined ? before.advanced : await checkContent(tx, changes.content);
  try {
    const { rows } = await tx.query<Template>(
      `UPDATE templates SET name = coalesce($2, name), content = coalesce($3, content), advanced = $4, updated_at = now()
        WHERE id = $1 RETURNING ${columns}`, [id, changes.name ?? null, changes.content ?? null, advanced]);
    await recordAudit(tx, { memberId, action: 'template.updated', entity: 'template', entityId: id, before, after: rows[0] });
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', `Another ${before.kind} template is named "${changes.name}"`, { fields: [{ field: 'name', message: 'is already used' }] });
    throw error;
  }
}

/** Deletes a template that nothing uses; a rule or group still using it makes this a 409 naming them. */
export async function deleteTemplate(tx: TenantTx, id: string, memberId?: string): Promise<void> {
  const before = await getTemplate(tx, id);
  const { rows } = await tx.query<{ name: string }>(
    `SELECT name FROM reply_rules WHERE template_id = $1
     UNION ALL SELECT title FROM groups WHERE settings->>'welcomeTemplateId' = $1::text OR settings->>'inviteTemplateId' = $1::text`, [id]);
  if (rows.length > 0) throw new AppError('conflict', `The template is still used by: ${rows.map((r) => r.name).join(', ')}`);
  await tx.query(`DELETE FROM templates WHERE id = $1`, [id]);
  await recordAudit(tx, { memberId, action: 'template.deleted', entity: 'template', entityId: id, before });
}
