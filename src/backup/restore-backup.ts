import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { KeyProvider } from '../crypto/index.js';
import type { BackupRepository, BackupRow, BackupTable, RestoreSink } from '../store/index.js';
import { backupKeyContext, readHeader, type BackupHeader } from './backup-header.js';
import { ChunkDecryptor, headerHash } from './chunk-cipher.js';
import { BackupError } from './errors.js';
import { dataKeyColumns, unescrowRow } from './escrow.js';
import { decodeRows, readFrames } from './frames.js';
import type { BackupManifest } from './manifest.js';
import type { OwnerKeyStore } from './owner-keys.js';

export interface RestoreOptions {
  file: string;
  /** The target database: it must hold the Haven schema and no rows. */
  repo: BackupRepository;
  provider: KeyProvider;
  ownerKeys: OwnerKeyStore;
  /** Rows inserted per statement. */
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface RestoreSummary {
  backupId: string;
  createdAt: string;
  sourceEngine: 'sqlite' | 'postgres';
  rows: number;
  tables: number;
  /** Data keys left destroyed because their owner was disposed of after this backup. */
  shreddedKeys: number;
  manifest: BackupManifest;
}

/** Unwraps the backup key; the header is authenticated by the wrap context (ADR 0029). */
export async function openBackupKey(
  file: string,
  provider: KeyProvider,
): Promise<{ header: BackupHeader; headerBytes: Buffer; start: number; key: KeyObject }> {
  const { header, bytes, end } = readHeader(file);
  let raw: Buffer;
  try {
    await provider.refresh();
    raw = await provider.unwrapKey(
      { kekId: header.kekId, blob: Buffer.from(header.wrappedKey, 'base64') },
      backupKeyContext(header),
    );
  } catch {
    throw new BackupError(
      'backup-wrong-key',
      `${file}: its backup key does not unwrap (KEK ${header.kekId}): wrong keyring or token, a retired KEK, or a damaged header`,
    );
  }
  const key = createSecretKey(raw);
  raw.fill(0);
  return { header, headerBytes: bytes, start: end, key };
}

/** The schema a backup was taken at must be the one this Haven runs. */
export function checkSchema(file: string, backup: string[], here: string[]): void {
  const unknown = backup.filter((m) => !here.includes(m));
  if (unknown.length > 0) {
    throw new BackupError(
      'backup-newer-schema',
      `${file} was made by a newer Haven (schema migrations ${unknown.join(', ')} are unknown here); restore it with that version or newer`,
    );
  }
  const missing = here.filter((m) => !backup.includes(m));
  if (missing.length > 0) {
    throw new BackupError(
      'backup-older-schema',
      `${file} was made at an older schema (before ${missing[0]}); restore it with the Haven version that made it, then upgrade`,
    );
  }
}

/**
 * Restores into an empty database in one transaction: rows are inserted as they are decrypted,
 * and the manifest (counts, per-table hashes, stream hash) is checked before the commit. Any
 * damage, a cut-off file, or a mismatch rolls everything back.
 */
export async function restoreBackup(o: RestoreOptions): Promise<RestoreSummary> {
  const { header, headerBytes, start, key } = await openBackupKey(o.file, o.provider);
  checkSchema(o.file, header.migrations, await o.repo.migrations());
  const targetTables = await o.repo.tables();
  const occupied = await o.repo.firstNonEmpty(targetTables);
  if (occupied !== undefined) {
    throw new BackupError(
      'target-not-empty',
      `the target database is not empty (table ${occupied} has rows); restore only into a new, empty installation`,
    );
  }
  const total = fs.statSync(o.file).size;
  return o.repo.restoreAtomically(async (sink) => {
    const decrypted = decryptedStream(o, header, headerBytes, start, key, total);
    try {
      return await applyFrames(o, header, targetTables, sink, readFrames(decrypted));
    } finally {
      decrypted.destroy();
    }
  });
}

/** File → chunks decrypted → decompressed, with progress counted on the file's bytes. */
export function decryptedStream(
  o: Pick<RestoreOptions, 'file' | 'onProgress'>,
  header: BackupHeader,
  headerBytes: Buffer,
  start: number,
  key: KeyObject,
  total: number,
): PassThrough {
  let read = start;
  const counter = new Transform({
    transform(chunk: Buffer, _e, done) {
      read += chunk.length;
      o.onProgress?.(read, total);
      done(null, chunk);
    },
  });
  const out = new PassThrough();
  const stages: (NodeJS.ReadableStream & NodeJS.EventEmitter)[] = [
    fs.createReadStream(o.file, { start }),
    counter,
    new ChunkDecryptor(
      key,
      Buffer.from(header.noncePrefix, 'hex'),
      headerHash(headerBytes),
      o.file,
    ),
    header.compression === 'brotli' ? zlib.createBrotliDecompress() : zlib.createGunzip(),
  ];
  // Errors of any stage surface on the stream the frames are read from; closing `out` (a
  // failed restore) closes every stage, so no file handle stays open.
  for (const s of stages) s.on('error', (e: unknown) => out.destroy(asBackupError(e, o.file)));
  out.on('close', () => {
    for (const s of stages) (s as unknown as { destroy(): void }).destroy();
  });
  let last: NodeJS.ReadableStream = stages[0]!;
  for (const s of stages.slice(1))
    last = last.pipe(s as NodeJS.WritableStream & NodeJS.ReadableStream);
  last.pipe(out);
  return out;
}

function asBackupError(e: unknown, file: string): Error {
  if (e instanceof BackupError) return e;
  return new BackupError(
    'backup-damaged',
    `${file} is damaged: its compressed data does not decode`,
  );
}

async function applyFrames(
  o: RestoreOptions,
  header: BackupHeader,
  targetTables: BackupTable[],
  sink: RestoreSink,
  frames: AsyncGenerator<{ type: string; payload: Buffer }>,
): Promise<RestoreSummary> {
  const stream = createHash('sha256');
  const seen: Record<string, { rows: number; sha256: string }> = {};
  let table: BackupTable | undefined;
  let hash = createHash('sha256');
  let count = 0;
  let rows = 0;
  let shredded = 0;
  let manifest: BackupManifest | undefined;
  const batch: BackupRow[] = [];
  const flush = async () => {
    if (table && batch.length > 0) await sink.insert(table, batch.splice(0));
  };
  for await (const f of frames) {
    if (manifest) throw damaged(o.file, 'data after the manifest');
    if (f.type === 'M') {
      manifest = JSON.parse(f.payload.toString('utf8')) as BackupManifest;
      continue;
    }
    stream.update(frameBytes(f.type, f.payload));
    if (f.type === 'T') {
      const t = JSON.parse(f.payload.toString('utf8')) as BackupTable;
      table = matchTable(t, targetTables);
      hash = createHash('sha256');
      count = 0;
    } else if (f.type === 'R') {
      if (!table) throw damaged(o.file, 'rows outside a table');
      hash.update(f.payload);
      const decoded = decodeRows(f.payload, table.columns.length);
      const escrow = dataKeyColumns(table);
      for (const row of decoded) {
        if (escrow && unescrowRow(row, escrow, o.ownerKeys) === false) shredded++;
        batch.push(row);
        if (batch.length >= (o.batchSize ?? 500)) await flush();
      }
      count += decoded.length;
      rows += decoded.length;
    } else if (f.type === 'E') {
      await flush();
      if (!table) throw damaged(o.file, 'a table end without its start');
      const end = JSON.parse(f.payload.toString('utf8')) as { rows: number; sha256: string };
      const sha256 = hash.digest('hex');
      if (end.rows !== count || end.sha256 !== sha256) throw damaged(o.file, `table ${table.name}`);
      seen[table.name] = { rows: count, sha256 };
      table = undefined;
    }
  }
  if (!manifest) throw new BackupError('backup-truncated', `${o.file} ends before its manifest`);
  checkManifest(o.file, manifest, header, seen, stream.digest('hex'));
  return {
    backupId: header.backupId,
    createdAt: header.createdAt,
    sourceEngine: header.engine,
    rows,
    tables: Object.keys(seen).length,
    shreddedKeys: shredded,
    manifest,
  };
}

function frameBytes(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** The backup's table must exist here with the same columns (same schema version). */
function matchTable(t: BackupTable, targets: BackupTable[]): BackupTable {
  const here = targets.find((x) => x.name === t.name);
  const names = (x: BackupTable) => x.columns.map((c) => c.name).join(',');
  if (!here || names(here) !== names(t)) {
    throw new BackupError(
      'target-schema-differs',
      `table ${t.name} in the backup does not match the target's schema`,
    );
  }
  return t;
}

function checkManifest(
  file: string,
  m: BackupManifest,
  header: BackupHeader,
  seen: Record<string, { rows: number; sha256: string }>,
  streamSha256: string,
): void {
  if (m.backupId !== header.backupId || m.streamSha256 !== streamSha256) {
    throw damaged(file, 'the manifest does not match the content');
  }
  const names = Object.keys(m.tables).sort();
  if (names.join(',') !== Object.keys(seen).sort().join(',')) {
    throw damaged(file, 'the manifest lists other tables than the content');
  }
  for (const n of names) {
    if (m.tables[n]!.rows !== seen[n]!.rows || m.tables[n]!.sha256 !== seen[n]!.sha256) {
      throw damaged(file, `table ${n} does not match the manifest`);
    }
  }
}

function damaged(file: string, why: string): BackupError {
  return new BackupError('backup-damaged', `${file} is damaged: ${why}`);
}
