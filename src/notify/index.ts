/** Notify: what Kovan tells a tenant (quota warnings, failures, payments), recorded and sent to its owners by e-mail and Telegram. */
export { notifyTenant, listNotifications, type Notification, type NotificationEvent, type NotificationInput } from './notifications.js';
export { sendPendingNotifications, sendNoticesInBackground, platformBotFrom, type NotifyDeps, type PlatformBot } from './send-pending.js';
