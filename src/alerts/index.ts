export { AlertBus, LogAlertSink, MemoryAlertSink, WebhookAlertSink } from './alerts.js';
export type { Alert, AlertSink } from './alerts.js';
export { factFromDraft, type AuditFact } from './facts.js';
export {
  ALERT_RULES,
  evaluate,
  type AlertCandidate,
  type AlertRule,
  type AlertSeverity,
  type RuleContext,
  type SubjectFacts,
  type WindowCounters,
} from './rules.js';
export { MemoryWindowCounters, RedisWindowCounters } from './counters.js';
export {
  AlertEngine,
  STORE_SIGHTINGS_EVERY_MS,
  type AlertEngineOptions,
  type AlertReview,
  type AlertRow,
  type AlertStore,
} from './engine.js';
export {
  AlertDelivery,
  alertMessage,
  alertText,
  type AlertChannel,
  type AlertMessage,
} from './delivery.js';
export {
  EmailChannel,
  SyslogChannel,
  WebhookChannel,
  signWebhook,
  syslogLine,
  verifyWebhook,
} from './channels.js';
export { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './settings.js';
