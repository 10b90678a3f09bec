import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { BackupError } from './errors.js';

export const MAGIC = Buffer.from('HAVEN-BACKUP/1\n', 'utf8');
const MAX_HEADER = 1024 * 1024;

/** The clear-text header: enough to find the key and refuse a schema, and nothing else. */
export interface BackupHeader {
  format: 1;
  backupId: string;
  createdAt: string;
  engine: 'sqlite' | 'postgres';
  /** Migrations applied to the database backed up: its schema version. */
  migrations: string[];
  compression: 'gzip' | 'brotli';
  noncePrefix: string;
  /** The backup key, wrapped by the key provider's KEK (the KEK itself is never in a file). */
  kekId: string;
  wrappedKey: string;
}

/**
 * The context the backup key is wrapped under binds every other header field (by hash): a
 * header edited in any way — a schema version changed, a key id swapped — fails to unwrap.
 */
export function backupKeyContext(h: BackupHeader): string {
  const { wrappedKey: _omit, kekId: _kek, ...rest } = h;
  const digest = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  return `backup-key|${h.backupId}|${digest}`;
}

export function encodeHeader(h: BackupHeader): Buffer {
  const body = Buffer.from(JSON.stringify(h), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([MAGIC, len, body]);
}

/** Reads and parses the header; `bytes` is exactly what the chunks' associated data hashes. */
export function readHeader(file: string): { header: BackupHeader; bytes: Buffer; end: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new BackupError('not-a-backup', `cannot open ${file}`);
  }
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    const n = fs.readSync(fd, start, 0, start.length, 0);
    if (n < start.length || !start.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new BackupError('not-a-backup', `${file} is not a Haven backup`);
    }
    const len = start.readUInt32BE(MAGIC.length);
    if (len > MAX_HEADER) throw new BackupError('backup-damaged', `${file}: header is damaged`);
    const body = Buffer.alloc(len);
    if (fs.readSync(fd, body, 0, len, start.length) < len) {
      throw new BackupError('backup-truncated', `${file} is truncated inside its header`);
    }
    let header: BackupHeader;
    try {
      header = JSON.parse(body.toString('utf8')) as BackupHeader;
    } catch {
      throw new BackupError('backup-damaged', `${file}: header is damaged`);
    }
    if (header.format !== 1 || !Array.isArray(header.migrations)) {
      throw new BackupError('backup-damaged', `${file}: header is damaged or of an unknown format`);
    }
    return { header, bytes: Buffer.concat([start, body]), end: start.length + len };
  } finally {
    fs.closeSync(fd);
  }
}
