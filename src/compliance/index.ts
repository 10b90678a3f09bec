/** The privacy officer's toolkit (issue 18, ADR 0031): compliance report, breach response, de-identified export. */
export type { RecordCompliance } from './audit-port.js';
export type { ComplianceCheck, ComplianceReport, CheckStatus } from './report/check.js';
export { complianceReport } from './report/run-report.js';
export { renderReport } from './report/render.js';
export { CHECKS, evaluate } from './report/checks.js';
export type { ComplianceSource, ComplianceFacts } from './report/facts.js';
