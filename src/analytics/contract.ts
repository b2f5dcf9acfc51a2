/** The shape of the daily counters as the API returns them: a contract module (docs/ARCHITECTURE.md, Layout). */

/** The daily counters as the API shows them (camelCase of stats_daily's columns). */
export interface Counters {
  messagesIn: number;
  messagesOut: number;
  newUsers: number;
  activeUsers: number;
  joins: number;
  leaves: number;
  joinRequests: number;
  deliveriesFailed: number;
}
