import { keyStatus, rotateKeys, type Haven, type RotateResult } from '../../app/index.js';
import { CliFailure, print, withHaven, type CommonFlags } from '../common.js';
import { startProgress } from '../progress.js';

/** `haven keys …` (declared in ../tree/keys.ts). */

export type KeysRotateFlags = CommonFlags & { batchSize?: string; settleMs?: string };

/** For tests: runs after each committed batch (a throw there interrupts the rotation). */
export interface RotateHooks {
  afterBatch?: (done: number) => void | Promise<void>;
}

export async function keysStatus(flags: CommonFlags): Promise<void> {
  const report = await withHaven(flags, keyStatus);
  const lines = report.keks.map(
    (k) =>
      `${k.kekId.padEnd(12)} ${k.state.padEnd(8)} ${k.provider.padEnd(14)} ${k.dataKeys} data keys, ${k.systemKeys} system keys`,
  );
  print(
    flags,
    report,
    [`Provider: ${report.provider} (current ${report.current || 'none'})`, ...lines].join('\n'),
  );
}

function settleMs(flags: KeysRotateFlags): number {
  const n = Number(flags.settleMs ?? 2000);
  if (!Number.isInteger(n) || n < 0 || n > 600_000) {
    throw new CliFailure('--settle-ms must be an integer from 0 to 600000', 64);
  }
  return n;
}

function batchSize(flags: KeysRotateFlags): number {
  const n = Number(flags.batchSize ?? 500);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new CliFailure('--batch-size must be an integer from 1 to 100000', 64);
  }
  return n;
}

async function rewrap(
  flags: KeysRotateFlags,
  haven: Haven,
  newVersion: boolean,
  hooks: RotateHooks,
): Promise<RotateResult> {
  const bar = await startProgress('re-wrapping', 'keys', { json: flags.json === true });
  try {
    return await rotateKeys(haven, {
      batchSize: batchSize(flags),
      settleMs: settleMs(flags),
      newVersion,
      onBatch: async (done, total) => {
        bar.update(done, total);
        await hooks.afterBatch?.(done);
      },
    });
  } finally {
    bar.stop();
  }
}

function report(flags: KeysRotateFlags, r: RotateResult, moving = false): void {
  print(
    flags,
    r,
    [
      moving
        ? `Every key is now wrapped by the token's ${r.to}.`
        : r.resumed
          ? `Finished the interrupted rotation to ${r.to}.`
          : `Current key: ${r.to} (was ${r.from || 'none'}).`,
      `Re-wrapped ${r.rewrapped} keys.`,
      r.retired.length > 0
        ? `Retired (no key wrapped under them): ${r.retired.join(', ')}.`
        : 'No key retired.',
    ].join('\n'),
  );
}

export async function keysRotate(flags: KeysRotateFlags, hooks: RotateHooks = {}): Promise<void> {
  batchSize(flags);
  settleMs(flags);
  report(flags, await withHaven(flags, (haven) => rewrap(flags, haven, true, hooks)));
}

export async function keysMigrateToHsm(
  flags: KeysRotateFlags,
  hooks: RotateHooks = {},
): Promise<void> {
  batchSize(flags);
  settleMs(flags);
  const result = await withHaven(flags, async (haven) => {
    if (!haven.provider.kind.startsWith('pkcs11')) {
      throw new CliFailure(
        'no PKCS#11 token is configured: set HAVEN_PKCS11_MODULE, HAVEN_PKCS11_TOKEN_LABEL (or HAVEN_PKCS11_SLOT) and HAVEN_PKCS11_PIN',
      );
    }
    return rewrap(flags, haven, false, hooks);
  });
  report(flags, result, true);
}
