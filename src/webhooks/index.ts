/** Outgoing webhooks (Premium): tenants register URLs; live events are POSTed signed, retried, logged. */
export { createWebhook, listWebhooks, getWebhook, updateWebhook, deleteWebhook, webhookEventTypes, maxWebhooks, type Webhook, type WebhookInput, type WebhookEventType } from './webhooks.js';
export { queueWebhookEvents, findDeliveriesPage, eventIdOf, type WebhookDelivery, type WebhookPayload, type DeliveryStatus } from './deliveries.js';
export { dispatchWebhooks, retryDelay, defaultDispatchOptions, type DispatchOptions, type DispatchReport } from './dispatcher.js';
export { signPayload, verifySignature, signatureHeader } from './signature.js';
export { startWebhookService, type WebhookService, type WebhookServiceOptions } from './webhook-service.js';
export { checkWebhookUrl } from './url-policy.js';
