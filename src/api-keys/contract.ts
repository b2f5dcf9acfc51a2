/** The shape of an API key as the API returns it (never the key itself): a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

export const apiKeyScopes = ['read', 'write'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** An API key: the visible prefix and last four characters tell keys apart. */
export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  last4: z.string(),
  scopes: z.array(z.enum(apiKeyScopes)),
  rateLimitPerMinute: z.number().int(),
  memberId: z.string(),
  expiresAt: instant.nullable(),
  lastUsedAt: instant.nullable(),
  revokedAt: instant.nullable(),
  createdAt: instant,
}).meta({ id: 'ApiKey' });
export type ApiKey = z.output<typeof apiKeySchema>;
