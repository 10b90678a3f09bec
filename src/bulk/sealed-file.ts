import fs from 'node:fs';
import path from 'node:path';
import { openWithKey, sealWithKey } from '../crypto/index.js';

/** Output file names: `<Type>-<n>.ndjson`; nothing else is ever joined to a path. */
export const FILE_NAME = /^[A-Z][A-Za-z]{1,63}-[1-9][0-9]{0,5}\.ndjson$/;
const EXPORT_ID = /^[0-9a-f-]{36}$/;

/**
 * An export's NDJSON file at rest: AES-256-GCM under the export's own data key, with the export
 * id and the file name as associated data, so a file moved to another export or renamed fails
 * its tag like a tampered one. Written 0600 in a 0700 directory; plaintext never touches disk.
 */
export function writeSealedFile(
  dir: string,
  exportId: string,
  name: string,
  key: Buffer,
  ndjson: Buffer,
): number {
  const sealed = sealWithKey(key, ndjson, aadOf(exportId, name));
  const folder = exportDir(dir, exportId);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(folder, `${name}.sealed`), sealed, { mode: 0o600, flag: 'wx' });
  return sealed.length;
}

/** The file's plaintext, only after its tag verified (IntegrityError otherwise). */
export function readSealedFile(dir: string, exportId: string, name: string, key: Buffer): Buffer {
  const sealed = fs.readFileSync(path.join(exportDir(dir, exportId), `${name}.sealed`));
  return openWithKey(key, sealed, aadOf(exportId, name));
}

/** Where an export's files are (for tests and the sweep). */
export function exportDir(dir: string, exportId: string): string {
  if (!EXPORT_ID.test(exportId)) throw new TypeError('not an export id');
  return path.join(dir, exportId);
}

export function removeExportFiles(dir: string, exportId: string): void {
  fs.rmSync(exportDir(dir, exportId), { recursive: true, force: true });
}

function aadOf(exportId: string, name: string): Buffer {
  if (!FILE_NAME.test(name)) throw new TypeError('not an export file name');
  return Buffer.from(`haven-bulk-export/1\0${exportId}\0${name}`, 'utf8');
}
