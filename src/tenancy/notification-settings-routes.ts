import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { configKeys, type ConfigValue } from './config-keys.js';
import { getConfig, updateConfig } from './configs.js';

const notificationSettings = z.object({ notifications: configKeys.notifications.schema });

/**
 * Notification settings: a typed convenience over the `notifications` configuration key
 * (same validation, same audit entry as `/api/config/update`).
 */
export function notificationSettingsRoutes(api: Api, services: Services): void {
  api.get('/api/notification-settings', {
    schema: { summary: 'Which events reach the owners, by e-mail and Telegram', tags: ['config'], response: { 200: notificationSettings } },
  }, async (request) => ({ notifications: await services.db.withTenant(request.principal!.tenantId, (tx) => getConfig(tx, 'notifications')) }));

  api.put('/api/notification-settings', {
    schema: { summary: 'Replace the notification settings', tags: ['config'], body: configKeys.notifications.schema, response: { 200: notificationSettings } },
    config: { auth: 'admin', example: configKeys.notifications.default },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    // updateConfig validated the value with this key's schema: it is the settings shape.
    const notifications = await services.db.withTenant(tenantId, (tx) => updateConfig(tx, 'notifications', request.body, memberId)) as ConfigValue<'notifications'>;
    return { notifications };
  });
}
