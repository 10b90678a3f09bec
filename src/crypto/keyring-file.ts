import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

import { KeyringExistsError, KeyringMissingError, KeyringUnreadableError } from './errors.js';
import { KEY_BYTES } from './generate-key.js';

/**
 * The local keyring file:
 * `{"format":"haven-keyring/1","current":"local-2","keys":[{"id","created","material"}]}`
 * where `material` is the base64 of a 32-byte KEK. Old KEKs stay so old wrapped keys unwrap.
 */
export const KEYRING_FORMAT = 'haven-keyring/1';

export interface Kek {
  id: string;
  created: string;
  key: KeyObject;
}

/** A KEK removed from the keyring once nothing was wrapped under it: its id and when. */
export interface RetiredKek {
  id: string;
  retired: string;
}

export interface Keyring {
  /** Undefined only when every KEK was retired (the keys moved to an HSM). */
  current: string | undefined;
  keys: Kek[];
  retired: RetiredKek[];
}

const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function refuse(path: string, why: string): never {
  throw new KeyringUnreadableError(`keyring file ${path} is unusable: ${why}`);
}

function parseKek(path: string, entry: unknown): Kek {
  if (typeof entry !== 'object' || entry === null) refuse(path, 'a key entry is not an object');
  const { id, created, material } = entry as Record<string, unknown>;
  if (typeof id !== 'string' || !KEK_ID.test(id)) refuse(path, 'a key has an invalid id');
  if (typeof created !== 'string' || Number.isNaN(Date.parse(created))) {
    refuse(path, `key ${id} has an invalid "created" timestamp`);
  }
  if (typeof material !== 'string' || !BASE64.test(material)) {
    refuse(path, `key ${id} material is not base64`);
  }
  const raw = Buffer.from(material, 'base64');
  if (raw.length !== KEY_BYTES) refuse(path, `key ${id} material is not 32 bytes`);
  const key = createSecretKey(raw);
  raw.fill(0);
  return { id, created, key };
}

/** Validates the whole shape; a keyring that is half right is refused, not half used. */
export function parseKeyring(path: string, text: string): Keyring {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    refuse(path, 'not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null) refuse(path, 'not a JSON object');
  const { format, current, keys, retired = [] } = doc as Record<string, unknown>;
  if (format !== KEYRING_FORMAT) refuse(path, `"format" is not "${KEYRING_FORMAT}"`);
  const gone = parseRetired(path, retired);
  // Empty only after every KEK was retired (moved to an HSM); then there is no current one.
  if (!Array.isArray(keys) || (keys.length === 0 && gone.length === 0)) {
    refuse(path, '"keys" is not a non-empty array');
  }
  const parsed = keys.map((entry) => parseKek(path, entry));
  const ids = [...parsed.map((k) => k.id), ...gone.map((k) => k.id)];
  if (new Set(ids).size !== ids.length) refuse(path, 'duplicate key ids');
  if (parsed.length === 0 && current === null)
    return { current: undefined, keys: [], retired: gone };
  if (typeof current !== 'string' || !parsed.some((k) => k.id === current)) {
    refuse(path, '"current" does not name a key in "keys"');
  }
  return { current, keys: parsed, retired: gone };
}

function parseRetired(path: string, retired: unknown): RetiredKek[] {
  if (!Array.isArray(retired)) refuse(path, '"retired" is not an array');
  return retired.map((entry: unknown) => {
    const { id, retired: when } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !KEK_ID.test(id)) refuse(path, 'a retired key has an invalid id');
    if (typeof when !== 'string' || Number.isNaN(Date.parse(when))) {
      refuse(path, `retired key ${id} has an invalid "retired" timestamp`);
    }
    return { id, retired: when };
  });
}

export function serializeKeyring(ring: Keyring): string {
  const keys = ring.keys.map((k) => ({
    id: k.id,
    created: k.created,
    material: k.key.export().toString('base64'),
  }));
  const doc = {
    format: KEYRING_FORMAT,
    current: ring.current ?? null,
    keys,
    // Written only once a KEK was retired, so older Havens still read an unrotated keyring.
    ...(ring.retired.length > 0 && { retired: ring.retired }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Reads and validates; permissions are checked on the opened descriptor, not the path. */
export async function readKeyringFile(path: string): Promise<Keyring> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KeyringMissingError(`keyring file ${path} does not exist`);
    }
    refuse(path, `cannot be opened (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) refuse(path, 'not a regular file');
    // Anyone who can read the KEKs can read every record; insist on owner-only access.
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      refuse(path, `it is accessible by group or others (mode ${mode}); run: chmod 600 ${path}`);
    }
    return parseKeyring(path, await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

async function writeDurably(path: string, text: string, flag: 'wx'): Promise<void> {
  const handle = await open(path, flag, 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  // Makes the rename itself durable. Some platforms refuse to open directories; the rename
  // has still happened there, so this is the one step allowed to fail quietly.
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    /* see above */
  }
}

/** Creates the file with mode 0600; never overwrites (O_EXCL). */
export async function createKeyringFile(path: string, ring: Keyring): Promise<void> {
  try {
    await writeDurably(path, serializeKeyring(ring), 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new KeyringExistsError(`keyring file ${path} already exists; refusing to overwrite`);
    }
    throw err;
  }
  await syncDirectory(path);
}

/** Replaces the file atomically: a crash leaves either the old or the new keyring, never half. */
export async function replaceKeyringFile(path: string, ring: Keyring): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeDurably(temp, serializeKeyring(ring), 'wx');
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(path);
}
