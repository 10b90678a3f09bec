import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { BackupRow, BackupTable } from '../store/index.js';
import { BackupError } from './errors.js';
import type { OwnerKeyStore } from './owner-keys.js';

/**
 * data_keys rows in a backup: each live wrapped data key is sealed again under its owner's
 * escrow key (OwnerKeyStore). Restoring needs the KEK (for the backup key and then the data key)
 * AND the owner's escrow key; disposal destroys the latter, which is what makes old backups of
 * a disposed patient unreadable while every other patient in them stays readable.
 */
const LABEL = 'haven-backup-escrow/1';

function aad(owner: string, version: number): Buffer {
  return Buffer.from(`${LABEL}|${owner}|${version}`, 'utf8');
}

interface Columns {
  owner: number;
  version: number;
  wrapped: number;
  destroyed: number;
}

export function dataKeyColumns(table: BackupTable): Columns | undefined {
  if (table.name !== 'data_keys') return undefined;
  const at = (n: string) => table.columns.findIndex((c) => c.name === n);
  const cols = {
    owner: at('owner'),
    version: at('version'),
    wrapped: at('wrapped'),
    destroyed: at('destroyed'),
  };
  return Object.values(cols).every((i) => i >= 0) ? cols : undefined;
}

/** Backup side. Returns whether the row went in escrowed (false: its owner was disposed of). */
export function escrowRow(row: BackupRow, c: Columns, keys: OwnerKeyStore): boolean | undefined {
  if (Number(row[c.destroyed]) !== 0) return undefined;
  const owner = String(row[c.owner]);
  const version = Number(row[c.version]);
  const key = keys.getOrCreate(owner);
  if (key === undefined) {
    row[c.destroyed] = 1;
    row[c.wrapped] = Buffer.alloc(0);
    return false;
  }
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(owner, version));
  const wrapped = row[c.wrapped] as Buffer;
  row[c.wrapped] = Buffer.concat([
    nonce,
    cipher.update(wrapped),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return true;
}

/** Restore side. Returns false when the owner's escrow key is gone: the key stays destroyed. */
export function unescrowRow(row: BackupRow, c: Columns, keys: OwnerKeyStore): boolean | undefined {
  if (Number(row[c.destroyed]) !== 0) return undefined;
  const owner = String(row[c.owner]);
  const version = Number(row[c.version]);
  const key = keys.get(owner);
  if (key === undefined) {
    row[c.destroyed] = 1;
    row[c.wrapped] = Buffer.alloc(0);
    return false;
  }
  const sealed = row[c.wrapped] as Buffer;
  if (!Buffer.isBuffer(sealed) || sealed.length < 28) {
    throw new BackupError('backup-damaged', 'an escrowed data key is malformed');
  }
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(aad(owner, version));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    row[c.wrapped] = Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
  } catch {
    throw new BackupError(
      'backup-wrong-key',
      'an escrowed data key does not open: the owner-keys folder is not the one this backup was made with',
    );
  }
  return true;
}
