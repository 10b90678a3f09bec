import type { RequestContext } from '../auth/index.js';

export type ExportLevel = 'system' | 'patient' | 'group';
export type ExportStatus = 'in-progress' | 'complete' | 'failed';

/** One NDJSON file of a finished export. */
export interface ExportFile {
  type: string;
  name: string;
  count: number;
}

/**
 * What the bulk_exports row holds about a job (`record`, JSON). PHI-free: resource types,
 * `_since`, the kick-off URL (its parameters are types, an instant and a Group id), counts,
 * error codes, and the export's data key wrapped under the KEK.
 */
export interface ExportRecord {
  level: ExportLevel;
  groupId?: string;
  types: string[];
  since?: string;
  /** The kick-off request URL, as the manifest's `request` repeats it. */
  request: string;
  /** The server's base URL at kick-off, for the file URLs. */
  base: string;
  transactionTime: string;
  key: { kekId: string; blob: string };
  /** When the job last showed it is alive (a job silent for long was interrupted). */
  heartbeat: string;
  progress: number;
  files: ExportFile[];
  error?: string;
}

/** The request a job runs as: the kick-off's caller, address and request id. */
export type ExportContext = RequestContext;

/**
 * Who may see a job: the same principal through the same app (a person's app token is its own
 * caller; their session another), so one app cannot collect another's export.
 */
export function callerOf(ctx: RequestContext): string {
  const p = ctx.principal;
  return `${p.kind}:${p.id}${p.appId === undefined ? '' : `:app:${p.appId}`}`;
}

export function parseRecord(text: string): ExportRecord {
  return JSON.parse(text) as ExportRecord;
}
