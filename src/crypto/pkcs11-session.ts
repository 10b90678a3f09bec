import type { PKCS11 } from 'pkcs11js';

type Pkcs11Module = typeof import('pkcs11js');

/**
 * One loaded PKCS#11 library per module path in this process. C_Initialize may run once per
 * process, and a token's login is shared by all of the process's sessions, so providers opened
 * side by side (a server and a CLI command in one test process) share the library and release
 * it with a count: the last one out finalizes it (C_Finalize). The library itself stays loaded:
 * unloading and reloading SoftHSM2 in a process that uses OpenSSL has failed to initialise again.
 */
interface Loaded {
  lib: PKCS11;
  api: Pkcs11Module;
  users: number;
}

const loaded = new Map<string, Loaded>();

/** The short reason of a PKCS#11 failure (CKR_PIN_INCORRECT, ...), never more. */
export function ckr(e: unknown): string {
  const message = e instanceof Error ? e.message : '';
  return /\bCKR_[A-Z_]+/.exec(message)?.[0] ?? 'error';
}

export async function acquireModule(path: string): Promise<Loaded> {
  let entry = loaded.get(path);
  if (entry === undefined) {
    // Loaded only when an HSM is configured: installations without one never load native code.
    const imported = (await import('pkcs11js')) as Pkcs11Module & { default?: Pkcs11Module };
    const api = imported.default ?? imported;
    const lib = new api.PKCS11();
    lib.load(path);
    entry = { lib, api, users: 0 };
    loaded.set(path, entry);
  }
  if (entry.users === 0) {
    try {
      entry.lib.C_Initialize();
    } catch (e) {
      if (ckr(e) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw e;
    }
  }
  entry.users += 1;
  return entry;
}

export function releaseModule(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined || entry.users === 0) return;
  entry.users -= 1;
  if (entry.users === 0) entry.lib.C_Finalize();
}
