import type { BackupRow, BackupValue } from '../store/index.js';
import { BackupError } from './errors.js';

/**
 * The plaintext inside a backup (before compression): a sequence of frames, each
 * `type (1 byte) ‖ length (u32, big-endian) ‖ payload`.
 *   T  a table begins: JSON { name, columns, key }
 *   R  rows of that table: u32 count, then each row's values
 *   E  the table ends: JSON { name, rows, sha256 } (hash of its R payloads)
 *   M  the manifest, last: JSON (see manifest.ts)
 * A value is a tag (0 null, 1 number as float64, 2 UTF-8 text, 3 bytes) and, for text and
 * bytes, a u32 length. Nothing here depends on the database engine, so either engine restores it.
 */
export type FrameType = 'T' | 'R' | 'E' | 'M';

const MAX_FRAME = 64 * 1024 * 1024;

export function frame(type: FrameType, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export function jsonFrame(type: FrameType, value: unknown): Buffer {
  return frame(type, Buffer.from(JSON.stringify(value), 'utf8'));
}

export function encodeRows(rows: readonly BackupRow[]): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(rows.length);
  parts.push(count);
  for (const row of rows) for (const v of row) parts.push(encodeValue(v));
  return Buffer.concat(parts);
}

function encodeValue(v: BackupValue): Buffer {
  if (v === null) return Buffer.from([0]);
  if (typeof v === 'number') {
    const b = Buffer.alloc(9);
    b[0] = 1;
    b.writeDoubleBE(v, 1);
    return b;
  }
  const body = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  const head = Buffer.alloc(5);
  head[0] = typeof v === 'string' ? 2 : 3;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export function decodeRows(payload: Buffer, width: number): BackupRow[] {
  const bad = () => new BackupError('backup-damaged', 'a row frame does not decode');
  if (payload.length < 4) throw bad();
  const count = payload.readUInt32BE(0);
  let at = 4;
  const rows: BackupRow[] = [];
  for (let r = 0; r < count; r++) {
    const row: BackupRow = [];
    for (let c = 0; c < width; c++) {
      const tag = payload[at];
      if (tag === 0) {
        row.push(null);
        at += 1;
      } else if (tag === 1) {
        if (at + 9 > payload.length) throw bad();
        row.push(payload.readDoubleBE(at + 1));
        at += 9;
      } else if (tag === 2 || tag === 3) {
        if (at + 5 > payload.length) throw bad();
        const len = payload.readUInt32BE(at + 1);
        const end = at + 5 + len;
        if (end > payload.length) throw bad();
        const body = payload.subarray(at + 5, end);
        row.push(tag === 2 ? body.toString('utf8') : Buffer.from(body));
        at = end;
      } else {
        throw bad();
      }
    }
    rows.push(row);
  }
  if (at !== payload.length) throw bad();
  return rows;
}

/** Splits a byte stream into frames; a stream that ends inside a frame is an error. */
export async function* readFrames(
  source: AsyncIterable<Buffer>,
): AsyncGenerator<{ type: FrameType; payload: Buffer }> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const data of source) {
    buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
    for (;;) {
      if (buf.length < 5) break;
      const type = String.fromCharCode(buf[0]!);
      const len = buf.readUInt32BE(1);
      if (!'TREM'.includes(type) || len > MAX_FRAME) {
        throw new BackupError('backup-damaged', 'a frame header is invalid');
      }
      if (buf.length < 5 + len) break;
      yield { type: type as FrameType, payload: buf.subarray(5, 5 + len) };
      buf = buf.subarray(5 + len);
    }
  }
  if (buf.length > 0) throw new BackupError('backup-truncated', 'the backup ends inside a frame');
}
