/**
 * The API's shapes as the Mini App reads them. Most come type-only from the server's contract
 * modules (`src/<context>/contract.ts`: docs/ARCHITECTURE.md, Layout), so the two cannot
 * drift; the rest mirror the server's routes by hand (billing and the operator's tenants:
 * docs/BILLING.md; the rest: docs/API.md and /api/openapi.json).
 */
import type { Member, Role } from '../../../src/auth/contract.js';
import type { Bot } from '../../../src/bots/contract.js';
import type { Counters } from '../../../src/analytics/contract.js';
import type { Payment } from '../../../src/billing/contract.js';
import type { RunOutcome, Schedule as ServerSchedule, Usage as ServerUsage } from '../../../src/delivery/contract.js';
import type { Serialized } from '../../../src/platform/contract.js';
import type { PlanCode, TenantPlan } from '../../../src/tenancy/contract.js';

export type { Member, Role } from '../../../src/auth/contract.js';
export type { Bot, BotStatus } from '../../../src/bots/contract.js';
export type { Counters } from '../../../src/analytics/contract.js';
export type { Group, GroupSettings, JoinRequestAction } from '../../../src/groups/contract.js';
/** A schedule with how its latest run went (null before it first runs). */
export type Schedule = Serialized<ServerSchedule & { outcome: RunOutcome | null }>;
export type { OutcomeState } from '../../../src/delivery/contract.js';
export type Usage = Serialized<ServerUsage>;
export type { Payment, PaymentStatus } from '../../../src/billing/contract.js';
export type { Feature, Plan, PlanCode } from '../../../src/tenancy/contract.js';
export type { Template, TemplateKind } from '../../../src/templates/contract.js';

export interface Me {
  member: Member;
  tenant: { id: string; name: string; status: string; isOperator: boolean; createdAt: string };
  plan: TenantPlan;
}

export interface SignedIn {
  token: string;
  tenantId: string;
  member: Member;
}

export type CheckStatus = 'ok' | 'warning' | 'failed' | 'skipped';

export interface ChecklistItem {
  id: 'token' | 'privacy_mode' | 'group_admin' | 'webhook';
  title: string;
  status: CheckStatus;
  detail: string;
  groups?: Array<{ groupId: string; title: string; status: CheckStatus; detail: string }>;
}

export interface SetupChecklist {
  botId: string;
  checkedAt: string;
  ready: boolean;
  items: ChecklistItem[];
}

/** A list page (`items` oldest first, `nextCursor` for the next page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TemplateVariable {
  name: string;
  description: string;
  sample: string;
}

export interface Preview {
  rendered: string;
  parseMode: 'HTML' | null;
  advanced: boolean;
  allowedOnPlan: boolean;
  requiredPlan?: PlanCode;
}

export interface ReplyRule {
  id: string;
  name: string;
  triggerType: 'keyword' | 'regex' | 'command';
  trigger: string;
  caseSensitive: boolean;
  scope: 'groups' | 'private' | 'both';
  groupIds: string[];
  templateId: string;
  priority: number;
  cooldownUserSeconds: number;
  cooldownChatSeconds: number;
  enabled: boolean;
}

/** One live event from /api/events. */
export interface LiveEvent {
  type: 'message_in' | 'message_out' | 'join' | 'leave' | 'join_request' | 'delivery_failed' | 'quota' | 'bot_status' | 'group';
  at: string;
  data: Record<string, unknown>;
}

/** A row of the message history (the dashboard's recent activity). */
export interface HistoryRow {
  id: number;
  at: string;
  chatId: number;
  userId: number | null;
  direction: 'in' | 'out';
  kind: string;
  status: string;
  text: string | null;
  userName: string | null;
  groupTitle: string | null;
  /** `text` is Telegram HTML: show what Telegram shows, not the markup. */
  html: boolean;
}

export interface DashboardStats {
  /** What the plan shows: `summary` (Basic: totals only), `basic` (daily series), `advanced`. */
  analytics: 'summary' | 'basic' | 'advanced';
  timeZone: string;
  range: { start: string; end: string; days: number };
  totals: Counters;
  today: Counters & { day: string };
  /** Null on plans without daily series. */
  series: Array<Counters & { day: string }> | null;
  bots: Array<Pick<Bot, 'id' | 'username' | 'status' | 'statusReason' | 'lastUpdateAt'>>;
  recentActivity: HistoryRow[];
}

export interface TeamMember extends Member {
  lastLoginAt?: string | null;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  expiresAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  scopes: Array<'read' | 'write'>;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export type SubscriptionStatus = Me['plan']['status'];

/** `POST /api/subscription/change`: a downgrade applies at once (200); an upgrade waits for the operator (202). */
export type PlanChange =
  | { applied: true; planCode: PlanCode; pausedGroups: number }
  | { applied: false; payment?: Payment; message?: string; checkoutUrl?: string };

/** A tenant as the operator's list shows it (`GET /api/admin/tenants`). */
export interface AdminTenant {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'deleted';
  isOperator: boolean;
  /** The worker pool its sessions run on: `shared`, or a dedicated one. */
  workerPool: string;
  /** Null when the tenant has no live subscription. */
  planCode: PlanCode | null;
  subscriptionStatus: SubscriptionStatus | null;
  customLimits: { maxGroups: number | null; messagesPerDay: number | null };
  /** Groups the bot is in (not removed). */
  groups: number;
  /** Quota used today. */
  messagesToday: number;
  createdAt: string;
  /** An upgrade the tenant requested, awaiting the operator. */
  pendingPayment: Payment | null;
}

/** The delivery planner's answer: when the messages would go, given rate limits, the queue and the quota. */
export interface DeliveryPlan {
  timeZone: string;
  messages: number;
  sent?: number;
  failed?: number;
  firstAt: string | null;
  finishesAt: string | null;
  today: number;
  laterDays: number;
  overQuota: number;
  paused: number;
  summary: string;
}

export interface TryItReply {
  text: string;
  parseMode: 'HTML' | null;
  rule?: string;
}

/** The operator's fleet view: workers and the tenant sessions they hold. */
export interface Fleet {
  workers: Array<{ id: string; pool: string; capacity: number; hostname: string; heartbeatAt: string; draining: boolean; health: Record<string, unknown> | null }>;
  sessions: Array<{ tenantId: string; tenantName: string; pool: string; workerId: string | null; state: string; failures: number; lastError: string | null }>;
}
