/** The shapes of a template and its previews as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';
import { planCodes } from '../tenancy/contract.js';

export const templateKinds = ['message', 'invite', 'reply'] as const;
export type TemplateKind = (typeof templateKinds)[number];

export const templateSchema = z.object({
  id: z.uuid(),
  kind: z.enum(templateKinds),
  name: z.string(),
  content: z.string(),
  advanced: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
}).meta({ id: 'Template' });
export type Template = z.output<typeof templateSchema>;

/** A variable a template may use, with the sample value previews use. */
export const templateVariableSchema = z.object({ name: z.string(), description: z.string(), sample: z.string() });
export type TemplateVariable = z.output<typeof templateVariableSchema>;

/** Content rendered with sample data, and whether the tenant's plan allows it. */
export const previewSchema = z.object({
  rendered: z.string(),
  parseMode: z.literal('HTML').nullable(),
  advanced: z.boolean(),
  allowedOnPlan: z.boolean(),
  /** The cheapest plan that allows it, when this one does not. */
  requiredPlan: z.enum(planCodes).optional(),
}).meta({ id: 'TemplatePreview' });
export type Preview = z.output<typeof previewSchema>;
