import { createCipheriv, createDecipheriv, createHash, type KeyObject } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from './errors.js';

/** Plaintext bytes per encrypted chunk. */
export const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
/** Per chunk: flags (1 = final), ciphertext length (u32, big-endian), then ciphertext ‖ tag. */
const CHUNK_HEAD = 5;
const FINAL = 1;

/**
 * The nonce is the backup's random 4-byte prefix and the chunk's 64-bit counter: unique under
 * a key that is itself fresh for every backup. The associated data binds the chunk to the
 * header (its hash), to its position (counter) and to whether it is the last one, so a chunk
 * moved, dropped, repeated or cut off after fails to authenticate or leaves no final chunk.
 */
function nonce(prefix: Buffer, counter: bigint): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 4);
  n.writeBigUInt64BE(counter, 4);
  return n;
}

function aad(headerHash: Buffer, counter: bigint, final: boolean): Buffer {
  const a = Buffer.alloc(headerHash.length + 9);
  headerHash.copy(a);
  a.writeBigUInt64BE(counter, headerHash.length);
  a[headerHash.length + 8] = final ? FINAL : 0;
  return a;
}

export function headerHash(headerBytes: Buffer): Buffer {
  return createHash('sha256').update('haven-backup-header/1').update(headerBytes).digest();
}

/** AES-256-GCM in authenticated chunks (a streaming AEAD, as STREAM / age / Tink do it). */
export class ChunkEncryptor extends Transform {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #counter = 0n;

  constructor(
    private readonly key: KeyObject,
    private readonly prefix: Buffer,
    private readonly hHash: Buffer,
  ) {
    super();
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    // Keep at least one byte back so the last chunk written is always the final one.
    while (this.#pendingBytes > CHUNK_BYTES) {
      const all = Buffer.concat(this.#pending);
      this.push(this.#seal(all.subarray(0, CHUNK_BYTES), false));
      const rest = all.subarray(CHUNK_BYTES);
      this.#pending = [rest];
      this.#pendingBytes = rest.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(this.#seal(Buffer.concat(this.#pending), true));
    done();
  }

  #seal(plain: Buffer, final: boolean): Buffer {
    const c = createCipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.#counter));
    c.setAAD(aad(this.hHash, this.#counter, final));
    this.#counter += 1n;
    const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    const head = Buffer.alloc(CHUNK_HEAD);
    head[0] = final ? FINAL : 0;
    head.writeUInt32BE(body.length - TAG_BYTES, 1);
    return Buffer.concat([head, body]);
  }
}

/** The reverse of ChunkEncryptor; any damage, reordering or truncation is an error. */
export class ChunkDecryptor extends Transform {
  #buf: Buffer = Buffer.alloc(0);
  #counter = 0n;
  #finished = false;

  constructor(
    private readonly key: KeyObject,
    private readonly prefix: Buffer,
    private readonly hHash: Buffer,
    private readonly file: string,
  ) {
    super();
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
    try {
      for (;;) {
        if (this.#buf.length === 0) break;
        if (this.#finished) throw this.#damaged('data after the final chunk');
        if (this.#buf.length < CHUNK_HEAD) break;
        const flags = this.#buf[0]!;
        const len = this.#buf.readUInt32BE(1);
        if (flags > FINAL || len > CHUNK_BYTES) throw this.#damaged('a chunk header is invalid');
        const total = CHUNK_HEAD + len + TAG_BYTES;
        if (this.#buf.length < total) break;
        const ct = this.#buf.subarray(CHUNK_HEAD, CHUNK_HEAD + len);
        const tag = this.#buf.subarray(CHUNK_HEAD + len, total);
        this.push(this.#open(ct, tag, flags === FINAL));
        this.#finished = flags === FINAL;
        this.#buf = this.#buf.subarray(total);
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.#finished || this.#buf.length > 0) {
      done(
        new BackupError(
          'backup-truncated',
          `${this.file} is truncated: it ends before its final chunk (after ${this.#counter} chunks)`,
        ),
      );
      return;
    }
    done();
  }

  #open(ct: Buffer, tag: Buffer, final: boolean): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.#counter));
    d.setAAD(aad(this.hHash, this.#counter, final));
    d.setAuthTag(tag);
    try {
      const plain = Buffer.concat([d.update(ct), d.final()]);
      this.#counter += 1n;
      return plain;
    } catch {
      throw this.#damaged(`chunk ${this.#counter} fails authentication`);
    }
  }

  #damaged(why: string): BackupError {
    return new BackupError('backup-damaged', `${this.file} is damaged: ${why}`);
  }
}
