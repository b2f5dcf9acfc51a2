/** Notify: what Kovan tells a tenant (quota warnings, failures), recorded and e-mailed to its owners. */
export { notifyTenant, listNotifications, type Notification, type NotificationEvent, type NotificationInput } from './notifications.js';
export { emailPendingNotifications, type EmailDeps } from './email.js';
