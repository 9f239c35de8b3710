export { EventArchive, type EventArchiveOptions, fromEventRow, toEventRow } from './event-archive.ts';
export { EVENT_TYPES, EventLog, type EventSubscriber, type EventType, type SluiceEvent } from './event-log.ts';
export { alertText, WEBHOOK_FORMATS, type WebhookFormat, webhookBody } from './webhook-body.ts';
export { type WebhookOptions, type WebhookTarget, type WebhookWarn, WebhookNotifier } from './webhooks.ts';
