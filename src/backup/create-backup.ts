import { createHash, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { KeyProvider } from '../crypto/index.js';
import type { BackupRepository, BackupTable, SnapshotRows } from '../store/index.js';
import { encodeHeader, backupKeyContext, type BackupHeader } from './backup-header.js';
import { ChunkEncryptor, headerHash } from './chunk-cipher.js';
import { dataKeyColumns, escrowRow } from './escrow.js';
import { encodeRows, frame, jsonFrame } from './frames.js';
import type { BackupManifest, BackupSummary } from './manifest.js';
import type { OwnerKeyStore } from './owner-keys.js';

export interface CreateBackupOptions {
  repo: BackupRepository;
  engine: 'sqlite' | 'postgres';
  provider: KeyProvider;
  ownerKeys: OwnerKeyStore;
  /** The finished file; it is written beside as `<file>.partial` and renamed when complete. */
  file: string;
  clock: () => Date;
  compression?: 'gzip' | 'brotli';
  /** Rows read per query (memory per page, not per table). */
  pageSize?: number;
  onProgress?: (rows: number, total: number) => void;
}

/**
 * One consistent logical backup, streamed: a snapshot read page by page, framed, compressed,
 * then encrypted in authenticated chunks under a fresh backup key wrapped by the provider.
 */
export async function createBackup(o: CreateBackupOptions): Promise<BackupSummary> {
  const createdAt = o.clock().toISOString();
  const backupId = randomUUID();
  const compression = o.compression ?? 'gzip';
  const rawKey = randomBytes(32);
  const key = createSecretKey(rawKey);
  const partial = `${o.file}.partial`;
  let summary: Omit<BackupSummary, 'bytes' | 'file'> | undefined;
  try {
    await o.repo.snapshot(async (rows, inside) => {
      const tables = await inside.tables();
      for (const t of tables) {
        if (t.key.length === 0) throw new Error(`table ${t.name} has no primary key`);
      }
      const header: BackupHeader = {
        format: 1,
        backupId,
        createdAt,
        engine: o.engine,
        migrations: await inside.migrations(),
        compression,
        noncePrefix: randomBytes(4).toString('hex'),
        kekId: '',
        wrappedKey: '',
      };
      const wrapped = await o.provider.wrapKey(rawKey, backupKeyContext(header));
      header.kekId = wrapped.kekId;
      header.wrappedKey = wrapped.blob.toString('base64');
      // The context hashed the header without these two; re-derive to be sure they agree.
      const headerBytes = encodeHeader(header);
      fs.writeFileSync(partial, headerBytes, { mode: 0o600 });
      const total = await countAll(rows, tables);
      const state = { rows: 0, manifest: undefined as BackupManifest | undefined };
      await pipeline(
        Readable.from(frames(o, rows, tables, header, total, state)),
        compression === 'gzip'
          ? zlib.createGzip({ level: 3 })
          : zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3 } }),
        new ChunkEncryptor(key, Buffer.from(header.noncePrefix, 'hex'), headerHash(headerBytes)),
        fs.createWriteStream(partial, { flags: 'a' }),
      );
      summary = {
        backupId,
        createdAt,
        rows: state.rows,
        tables: tables.length,
        auditSize: state.manifest?.audit.size ?? 0,
      };
    });
    const fd = fs.openSync(partial, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(partial, o.file);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  } finally {
    rawKey.fill(0);
  }
  return { ...summary!, file: o.file, bytes: fs.statSync(o.file).size };
}

async function countAll(rows: SnapshotRows, tables: BackupTable[]): Promise<number> {
  let n = 0;
  for (const t of tables) n += await rows.count(t);
  return n;
}

async function* frames(
  o: CreateBackupOptions,
  rows: SnapshotRows,
  tables: BackupTable[],
  header: BackupHeader,
  total: number,
  state: { rows: number; manifest: BackupManifest | undefined },
): AsyncGenerator<Buffer> {
  const stream = createHash('sha256');
  const emit = (b: Buffer) => {
    stream.update(b);
    return b;
  };
  const manifest: BackupManifest = {
    backupId: header.backupId,
    createdAt: header.createdAt,
    engine: header.engine,
    migrations: header.migrations,
    tables: {},
    audit: { size: 0, headSha256: '', checkpointSize: 0 },
    owners: { escrowed: 0, disposed: 0 },
    streamSha256: '',
  };
  for (const table of tables) {
    yield emit(jsonFrame('T', { name: table.name, columns: table.columns, key: table.key }));
    const escrow = dataKeyColumns(table);
    const hash = createHash('sha256');
    let count = 0;
    for await (const page of rows.rows(table, o.pageSize ?? 1000)) {
      if (escrow) {
        for (const row of page) {
          const r = escrowRow(row, escrow, o.ownerKeys);
          if (r === true) manifest.owners.escrowed++;
          if (r === false) manifest.owners.disposed++;
        }
      }
      if (table.name === 'audit_head') noteAuditHead(table, page, manifest);
      const payload = encodeRows(page);
      hash.update(payload);
      count += page.length;
      state.rows += page.length;
      o.onProgress?.(state.rows, total);
      yield emit(frame('R', payload));
    }
    const sha256 = hash.digest('hex');
    manifest.tables[table.name] = { rows: count, sha256 };
    yield emit(jsonFrame('E', { name: table.name, rows: count, sha256 }));
  }
  manifest.streamSha256 = stream.digest('hex');
  state.manifest = manifest;
  yield jsonFrame('M', manifest);
}

function noteAuditHead(table: BackupTable, page: unknown[][], m: BackupManifest): void {
  const at = (n: string) => table.columns.findIndex((c) => c.name === n);
  const row = page[0];
  if (!row) return;
  m.audit.size = Number(row[at('size')]);
  m.audit.checkpointSize = Number(row[at('checkpoint_size')]);
  const frontier = row[at('frontier')];
  if (Buffer.isBuffer(frontier)) {
    m.audit.headSha256 = createHash('sha256').update(frontier).digest('hex');
  }
}
