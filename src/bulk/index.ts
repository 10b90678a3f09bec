/** FHIR Bulk Data `$export` (ADR 0036): jobs, sealed NDJSON files, manifests, expiry. */
export {
  BulkExports,
  type BulkExportOptions,
  type ExportState,
  type KickOff,
} from './bulk-exports.js';
export type { ExportLevel } from './export-record.js';
export { exportDir } from './sealed-file.js';
