/**
 * Why a backup, restore or disposal was refused. Messages name the file, table or rule, never
 * a record's content; `code` is stable for scripts and tests.
 */
export type BackupErrorCode =
  | 'not-a-backup'
  | 'backup-damaged'
  | 'backup-truncated'
  | 'backup-wrong-key'
  | 'backup-newer-schema'
  | 'backup-older-schema'
  | 'target-not-empty'
  | 'target-schema-differs';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export type DisposalErrorCode =
  | 'not-found'
  | 'already-disposed'
  | 'retention-not-passed'
  | 'not-an-admin'
  | 'same-admin'
  | 'unknown-request'
  | 'request-closed'
  | 'bad-override';

export class DisposalError extends Error {
  constructor(
    readonly code: DisposalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DisposalError';
  }
}
