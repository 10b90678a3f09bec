export { AuditViews } from './audit-views.js';
export type {
  AuditViewDecision,
  AuditViewRequest,
  AuditViewsOptions,
  Disclosure,
  Viewed,
} from './audit-views.js';
