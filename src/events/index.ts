/** Live events: what happens in a tenant's bot, pushed to its dashboards (SSE) as it happens. */
export { publishEvents, subscribeEvents, tenantChannel, type LiveEvent } from './live-events.js';
export { sessionChannel, signalSession, type SessionSignal, type FollowUp } from './session-signals.js';
