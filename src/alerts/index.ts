export { AlertBus, LogAlertSink, MemoryAlertSink } from './alerts.js';
export type { Alert, AlertSink } from './alerts.js';
