import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;

/**
 * Per-owner backup escrow keys: the crypto-shredding layer of backups (ADR 0029).
 *
 * A backup carries every owner's wrapped data keys, but sealed once more under that owner's
 * escrow key, which lives here, beside the keyring and never in the database or a backup.
 * Disposing of a patient replaces their file with a tombstone, so every backup ever taken
 * holds their data keys under a key that no longer exists, while every other owner's escrow key
 * (and the KEK) still opens theirs. A tombstone, not a deletion, so that a backup running
 * while the disposal happens cannot create a fresh escrow key for the disposed owner.
 *
 * Files are named by SHA-256 of the owner reference (`Patient/<id>`), in 256 subfolders,
 * mode 0600 like the keyring. Creation uses O_EXCL, so two processes agree on one key.
 */
export class OwnerKeyStore {
  constructor(readonly dir: string) {}

  /** Where the escrow keys of an installation live: a folder next to its keyring file. */
  static beside(keyringPath: string): OwnerKeyStore {
    return new OwnerKeyStore(path.join(path.dirname(keyringPath), 'owner-keys'));
  }

  private file(owner: string): string {
    const h = createHash('sha256').update(owner, 'utf8').digest('hex');
    return path.join(this.dir, h.slice(0, 2), h);
  }

  /** The owner's escrow key; undefined if it was destroyed (or never made). */
  get(owner: string): Buffer | undefined {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file(owner));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return data.length === KEY_BYTES ? data : undefined;
  }

  /** The owner's escrow key, made now if there is none; undefined for a disposed owner. */
  getOrCreate(owner: string): Buffer | undefined {
    const file = this.file(owner);
    const existing = this.get(owner);
    if (existing) return existing;
    if (fs.existsSync(file)) return undefined; // a tombstone
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    try {
      fs.writeFileSync(file, key, { flag: 'wx', mode: 0o600 });
      return key;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      return this.get(owner); // another process made it first (or disposed of the owner)
    }
  }

  /**
   * Destroys the owner's escrow key: the bytes are overwritten in place, then the file is left
   * empty as a tombstone. Old backups of this owner's data keys become unopenable.
   */
  destroy(owner: string): void {
    const file = this.file(owner);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    try {
      fs.writeSync(fd, Buffer.alloc(KEY_BYTES), 0, KEY_BYTES, 0);
      fs.fsyncSync(fd);
      fs.ftruncateSync(fd, 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
