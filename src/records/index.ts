/** FHIR R4 records: sealed, versioned, searchable over blind indexes, audited on every access. */
export { FhirError, operationOutcome } from './errors.js';
export type { Issue, IssueCode } from './errors.js';
export { loadFhirDefinitions, validateFhirResource } from './validate.js';
export type { RecordDeps } from './record-context.js';
export { readRecord } from './read-record.js';
export type { RecordBytes } from './read-record.js';
export { createRecord, updateRecord } from './write-record.js';
export { historyRecord } from './history-record.js';
export { searchRecords, MAX_CANDIDATES } from './search-records.js';
export type { SearchPage } from './search-records.js';
export { sealCursor, openCursor } from './search-cursor.js';
export { runTransaction, type TransactionResult } from './transaction.js';
export { searchsetBundle, historyBundle, transactionResponseBundle } from './bundles.js';
export { capabilityStatement } from './capability-statement.js';
export { SealedResources } from './sealed-resources.js';
export { rebuildSearchIndex, type RebuildResult } from './rebuild-search-index.js';
export { isSupportedType, SUPPORTED_TYPES } from './resource-types.js';
export { ALLOWED_BINARY_TYPES } from './binary.js';
export { patientEverything } from './patient-everything.js';
// For capabilities that decide access themselves and write resources with extra rows in the same
// audited transaction (secure messaging, ADR 0028): sealing, validation and the version write.
export { prepareVersion, writePrepared } from './write-record.js';
export { openOrFail } from './read-record.js';
export type { PreparedVersion } from './prepared-version.js';
export { deleteRecord, type DeleteOutcome } from './delete-record.js';
export { patchRecord } from './patch-record.js';
export { conditionalCreate } from './conditional-create.js';
export { compartmentQuery } from './compartment-search.js';
export { isBatch, runBatch } from './batch.js';
export { expandChains, includedResources, splitDepthParams, withElements } from './search-depth.js';
export { conditionalDelete, conditionalUpdate } from './conditional-write.js';
export {
  exportResources,
  exportTypes,
  groupMembers,
  type ExportScope,
  type ExportedResource,
} from './export-resources.js';
export { patientIdOfOwner } from './sealed-resources.js';
export { withSummary, parseSummary, type SummaryMode } from './summary.js';
