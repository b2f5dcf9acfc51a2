import { z } from 'zod';

/** A sandbox group as demo mode lists it: where a tenant may add its test bot (GET /api/demo/groups). */
export const demoGroupSchema = z.object({
  chatId: z.number().int(),
  title: z.string(),
  type: z.enum(['group', 'supergroup']),
  /** First names of the simulated people present. */
  people: z.array(z.string()),
  /** The tenant's bots (Kovan ids) already in the group. */
  botIds: z.array(z.string()),
}).meta({ id: 'DemoGroup' });
export type DemoGroup = z.output<typeof demoGroupSchema>;

export const demoGroupsSchema = z.object({
  /** False outside demo mode (a real Telegram is configured): the screen then shows nothing. */
  available: z.boolean(),
  groups: z.array(demoGroupSchema),
}).meta({ id: 'DemoGroups' });
export type DemoGroups = z.output<typeof demoGroupsSchema>;
