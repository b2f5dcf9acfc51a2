/** The shape of a reply rule as the API returns it: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';
import { instant } from '../platform/contract.js';

/** An auto-reply: a trigger (keyword, regex or command) answered with a reply template. */
export const replyRuleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  triggerType: z.enum(['keyword', 'regex', 'command']),
  trigger: z.string(),
  caseSensitive: z.boolean(),
  scope: z.enum(['groups', 'private', 'both']),
  groupIds: z.array(z.string()),
  templateId: z.string(),
  /** Lower goes first; the first matching rule answers. */
  priority: z.number().int(),
  cooldownUserSeconds: z.number().int(),
  cooldownChatSeconds: z.number().int(),
  enabled: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
}).meta({ id: 'ReplyRule' });
export type ReplyRule = z.output<typeof replyRuleSchema>;
