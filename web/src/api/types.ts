/**
 * The API's shapes as the Mini App reads them, all type-only from the server's contract
 * modules (`src/<context>/contract.ts`: docs/ARCHITECTURE.md, Layout), whose zod schemas
 * are also the API's response contract: the two cannot drift, and no schema reaches the
 * bundle. `Serialized` turns the server's `Date` fields into the ISO strings JSON carries.
 */
import type { Me as ServerMe, Member as ServerMember, SignedIn as ServerSignedIn } from '../../../src/auth/contract.js';
import type { Bot as ServerBot, ChecklistItem as ServerChecklistItem, SetupChecklist as ServerSetupChecklist } from '../../../src/bots/contract.js';
import type { DashboardStats as ServerDashboardStats } from '../../../src/analytics/contract.js';
import type { ApiKey as ServerApiKey } from '../../../src/api-keys/contract.js';
import type { Payment as ServerPayment, PlanChange as ServerPlanChange } from '../../../src/billing/contract.js';
import type { DeliveryPlan as ServerDeliveryPlan, ScheduleWithOutcome, Usage as ServerUsage } from '../../../src/delivery/contract.js';
import type { Fleet as ServerFleet } from '../../../src/fleet/contract.js';
import type { Group as ServerGroup } from '../../../src/groups/contract.js';
import type { Invitation as ServerInvitation, TeamMember as ServerTeamMember } from '../../../src/members/contract.js';
import type { RecentActivity } from '../../../src/messaging/contract.js';
import type { AdminTenant as ServerAdminTenant } from '../../../src/operator/contract.js';
import type { Serialized } from '../../../src/platform/contract.js';
import type { ReplyRule as ServerReplyRule } from '../../../src/rules/contract.js';
import type { Template as ServerTemplate } from '../../../src/templates/contract.js';
import type { TenantPlan } from '../../../src/tenancy/contract.js';

export type { Role } from '../../../src/auth/contract.js';
export type { BotStatus, CheckStatus } from '../../../src/bots/contract.js';
export type { Counters } from '../../../src/analytics/contract.js';
export type { GroupSettings, JoinRequestAction } from '../../../src/groups/contract.js';
export type { PaymentStatus } from '../../../src/billing/contract.js';
export type { Feature, Plan, PlanCode } from '../../../src/tenancy/contract.js';
export type { Preview, TemplateKind, TemplateVariable } from '../../../src/templates/contract.js';
export type { TryItAnswer } from '../../../src/try-it/contract.js';

export type Member = Serialized<ServerMember>;
export type Me = Serialized<ServerMe>;
export type SignedIn = Serialized<ServerSignedIn>;
export type Bot = Serialized<ServerBot>;
export type ChecklistItem = Serialized<ServerChecklistItem>;
export type SetupChecklist = Serialized<ServerSetupChecklist>;
export type Group = Serialized<ServerGroup>;
export type Template = Serialized<ServerTemplate>;
export type ReplyRule = Serialized<ServerReplyRule>;
/** A schedule with how its latest run went (null before it first runs). */
export type Schedule = Serialized<ScheduleWithOutcome>;
export type { OutcomeState } from '../../../src/delivery/contract.js';
export type Usage = Serialized<ServerUsage>;
export type DeliveryPlan = Serialized<ServerDeliveryPlan>;
export type Payment = Serialized<ServerPayment>;
export type PlanChange = Serialized<ServerPlanChange>;
export type TeamMember = Serialized<ServerTeamMember>;
export type Invitation = Serialized<ServerInvitation>;
export type ApiKey = Serialized<ServerApiKey>;
export type DashboardStats = Serialized<ServerDashboardStats>;
/** A row of the message history as the dashboard's recent activity shows it. */
export type HistoryRow = Serialized<RecentActivity>;
export type AdminTenant = Serialized<ServerAdminTenant>;
export type Fleet = Serialized<ServerFleet>;
export type SubscriptionStatus = TenantPlan['status'];

/** A list page (`items` oldest first, `nextCursor` for the next page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One live event from /api/events. The stream is not a JSON response, so it has no response
 * schema: its envelope is described in docs/API.md (Live events) and mirrored here.
 */
export interface LiveEvent {
  type: 'message_in' | 'message_out' | 'join' | 'leave' | 'join_request' | 'delivery_failed' | 'quota' | 'bot_status' | 'group';
  at: string;
  data: Record<string, unknown>;
}
