import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pkcs11Settings } from '../../src/crypto/index.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
export const TOKEN_LABEL = 'haven-test';
export const USER_PIN = '1234';

export interface SoftHsmToken {
  settings: Pkcs11Settings;
  /** The HAVEN_PKCS11_* environment of this token. */
  env: Record<string, string>;
  cleanup(): void;
}

/**
 * A fresh SoftHSM2 token in a temp directory: its own softhsm2.conf (SOFTHSM2_CONF points at it
 * for this process) and `softhsm2-util --init-token --free`. SoftHSM reads the configuration
 * when the module is initialised, which Haven does when the first provider opens and undoes when
 * the last one closes. Re-initialising with another configuration has failed (CKR_GENERAL_ERROR)
 * in a process that had also run Haven installations in between, so files that open Havens make
 * one token in beforeAll; the provider contract test makes one per test.
 */
export function createSoftHsmToken(): SoftHsmToken {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-softhsm-'));
  const tokens = path.join(dir, 'tokens');
  fs.mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', TOKEN_LABEL, '--pin', USER_PIN, '--so-pin', '5678'],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'ignore' },
  );
  return {
    settings: {
      module: SOFTHSM_MODULE,
      tokenLabel: TOKEN_LABEL,
      slot: undefined,
      pin: () => USER_PIN,
    },
    env: {
      HAVEN_PKCS11_MODULE: SOFTHSM_MODULE,
      HAVEN_PKCS11_TOKEN_LABEL: TOKEN_LABEL,
      HAVEN_PKCS11_PIN: USER_PIN,
    },
    cleanup: () => {
      if (saved === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
