export { AlertBus, LogAlertSink, MemoryAlertSink, WebhookAlertSink } from './alerts.js';
export type { Alert, AlertSink } from './alerts.js';
