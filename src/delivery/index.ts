/**
 * Delivery: every message Kovan sends on a tenant's behalf. Accepted into the outbox in the
 * caller's transaction together with the quota charge; drained by the worker holding the
 * tenant's lease, paced under Telegram's limits; planned ahead; scheduled. docs/DELIVERY.md
 * states the guarantees.
 */
export { enqueueDelivery, enqueueMany, type DeliveryRequest, type EnqueueResult, type EnqueueOptions, type RejectionReason } from './enqueue.js';
export { deliveryKinds, priorityOf, type DeliveryKind } from './kinds.js';
export { getDeliveryStatus, type DeliveryStatus } from './status.js';
export { startOutboxDrainer, type DrainerOptions, type DrainerEvent, type OutboxDrainer } from './sender.js';
export { LeaseLostError, type LeaseToken } from './lease-fence.js';
export { defaultDeliveryLimits, scaledLimits, type DeliveryLimits } from './limits.js';
export {
  createSchedule, getSchedule, listSchedules, updateSchedule, pauseSchedule, resumeSchedule, cancelSchedule, deleteSchedule,
  type Schedule, type ScheduleInput, type ScheduleStatus,
} from './schedules.js';
export { runDueSchedules, runScheduleNow, listScheduleRuns, missedRunGrace, type RunReport, type RunDueOptions } from './schedule-runs.js';
export { findRunOutcomes, outcomeState, type RunOutcome, type OutcomeState, type OutcomeProblem } from './outcome.js';
export { planDelivery, type PlanRequest, type DeliveryPlan, type MessageEta, type PlannedMessage } from './planner.js';
export { getUsage, type Usage } from './usage.js';
export { localDay } from './zoned-time.js';
export { maxDeferredDays, type QuotaOverflow } from './quota.js';
export { deliveryRoutes } from './routes.js';
