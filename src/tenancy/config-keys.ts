import { z } from 'zod';
import { isTimeZone } from '../platform/time.js';

/** A local time of day, `HH:MM` (24 h): quiet hours and their per-group override use it. */
export const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)');

/**
 * Every tenant configuration key Kovan knows, with the schema its value must match and the
 * default that applies until the tenant sets it. An unknown key is a 400, never stored.
 */
export const configKeys = {
  /** IANA zone: the quota day and schedules follow it. */
  time_zone: { schema: z.string().max(64).refine(isTimeZone, 'unknown IANA time zone'), default: 'UTC' },
  /** Language of the Mini App and of Kovan's own messages to the tenant. */
  language: { schema: z.enum(['en', 'tr']), default: 'en' },
  /** How message templates are sent: Telegram HTML, or plain text. */
  default_parse_mode: { schema: z.enum(['HTML', 'plain']), default: 'HTML' },
  /** No welcome/scheduled posts between these times (replies still go out). Null: off. */
  quiet_hours: { schema: z.strictObject({ start: clock, end: clock }).nullable(), default: null },
  /** Default for new groups: greet members who join. */
  welcome_new_members: { schema: z.boolean(), default: true },
  /** Default for new groups: what to do with join requests after sending the invite template. */
  join_request_action: { schema: z.enum(['approve', 'decline', 'leave_pending']), default: 'leave_pending' },
  /** Message template sent when someone starts the bot in private (/start). Null: no greeting. */
  start_template_id: { schema: z.uuid().nullable(), default: null },
  /** Missed schedule runs after downtime: run once on recovery, or skip to the next run. */
  missed_run_policy: { schema: z.enum(['run_once', 'skip']), default: 'run_once' },
  /** Telegram paid broadcasts (allow_paid_broadcast): only for bots that qualify. */
  paid_broadcast: { schema: z.boolean(), default: false },
  /** Which events reach the owner, and how. */
  notifications: {
    schema: z.strictObject({
      email: z.boolean(),
      telegram: z.boolean(),
      events: z.array(z.enum(['quota_warning', 'quota_exhausted', 'bot_failed', 'webhook_changed', 'payment'])).max(10),
    }),
    default: { email: true, telegram: true, events: ['quota_warning', 'quota_exhausted', 'bot_failed', 'webhook_changed', 'payment'] },
  },
} as const;

export type ConfigKey = keyof typeof configKeys;
export type ConfigValue<K extends ConfigKey> = z.infer<(typeof configKeys)[K]['schema']>;

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(configKeys, key);
}
