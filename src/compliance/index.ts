/** The privacy officer's toolkit (issue 18, ADR 0031): compliance report, breach response, de-identified export. */
export type { RecordCompliance } from './audit-port.js';
export type { ComplianceCheck, ComplianceReport, CheckStatus } from './report/check.js';
export { complianceReport } from './report/run-report.js';
export { renderReport } from './report/render.js';
export { CHECKS, evaluate } from './report/checks.js';
export type { ComplianceSource, ComplianceFacts } from './report/facts.js';
export {
  exportDeidentified,
  ExportTargetError,
  type DeidentifiedExportOptions,
  type DeidentifiedExportResult,
} from './deidentify/export.js';
export {
  deidentifyResource,
  pseudonym,
  AGE_GROUP_EXTENSION,
  EXCLUDED_TYPES,
} from './deidentify/safe-harbor.js';
export { generalizeZip, RESTRICTED_ZIP3 } from './deidentify/zip.js';
export { storedRecords } from './deidentify/stored-records.js';
export {
  IncidentService,
  type IncidentActor,
  type IncidentView,
} from './breach/incident-service.js';
export { openIncidents } from './breach/open-incidents.js';
export {
  IncidentError,
  checkNoPhi,
  type Incident,
  type RiskAssessment,
  type AffectedSummary,
} from './breach/incident.js';
export { deadlines, NOTICE_DAYS, LARGE_BREACH, type Deadline } from './breach/deadlines.js';
export { noticeDraft, RECIPIENT_PLACEHOLDERS, type NoticeContact } from './breach/notice.js';
