/** The last frame of a backup: what it holds, so a restore and a verify can check all of it. */
export interface BackupManifest {
  backupId: string;
  createdAt: string;
  engine: 'sqlite' | 'postgres';
  migrations: string[];
  tables: Record<string, { rows: number; sha256: string }>;
  /** The audit trail at the snapshot: its size, its Merkle frontier's hash, its last checkpoint. */
  audit: { size: number; headSha256: string; checkpointSize: number };
  /** Owners whose data keys were carried under their escrow key, and those already disposed. */
  owners: { escrowed: number; disposed: number };
  /** SHA-256 over every frame before this one. */
  streamSha256: string;
}

/** Summary of a finished backup, for the CLI and the audit entry (counts only, no ids). */
export interface BackupSummary {
  file: string;
  backupId: string;
  createdAt: string;
  bytes: number;
  rows: number;
  tables: number;
  auditSize: number;
}
