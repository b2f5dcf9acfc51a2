/** The shapes of members, roles and sessions as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';
import { tenantPlanSchema, tenantSchema } from '../tenancy/contract.js';

export const roles = ['owner', 'admin', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** A member of a tenant's team. */
export const memberSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string(),
  role: z.enum(roles),
  displayName: z.string().nullable(),
  telegramUserId: z.number().int().nullable(),
  language: z.string().nullable(),
  createdAt: instant,
}).meta({ id: 'Member' });
export type Member = z.output<typeof memberSchema>;

/** A new session (login, registration, accepted invitation): the token is also set as the `kovan_session` cookie. */
export const signedInSchema = z.object({ token: z.string(), tenantId: z.uuid(), member: memberSchema }).meta({ id: 'SignedIn' });
export type SignedIn = z.output<typeof signedInSchema>;

/** Who is logged in (`GET /api/auth/me`). */
export const meSchema = z.object({ member: memberSchema, tenant: tenantSchema, plan: tenantPlanSchema }).meta({ id: 'Me' });
export type Me = z.output<typeof meSchema>;
