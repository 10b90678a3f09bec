import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { rewrapAll, type KekUse } from '../crypto/index.js';
import { KeyWrapRepository } from '../store/index.js';
import type { Haven } from './open-haven.js';

/** One KEK as `haven keys status` shows it. */
export interface KekReport extends KekUse {
  provider: string;
  state: 'current' | 'active' | 'retired';
}

export interface KeyStatusReport {
  provider: string;
  current: string;
  keks: KekReport[];
}

function wraps(haven: Haven): KeyWrapRepository {
  return new KeyWrapRepository(haven.database.db, haven.database.writeDb, haven.database.engine);
}

/** Providers, their KEK versions, and how many data keys and system keys each one wraps. */
export async function keyStatus(haven: Haven): Promise<KeyStatusReport> {
  await haven.provider.refresh();
  const top = haven.provider.status();
  const uses = new Map((await wraps(haven).countByKek()).map((u) => [u.kekId, u]));
  const keks: KekReport[] = [];
  for (const part of top.parts ?? [top]) {
    for (const id of part.kekIds) {
      const use = uses.get(id) ?? { kekId: id, dataKeys: 0, systemKeys: 0 };
      uses.delete(id);
      keks.push({
        ...use,
        provider: part.kind,
        state: id === top.currentKekId ? 'current' : 'active',
      });
    }
    for (const id of part.retiredKekIds) {
      keks.push({ kekId: id, dataKeys: 0, systemKeys: 0, provider: part.kind, state: 'retired' });
    }
  }
  // Wraps under a KEK no provider holds: unreadable data, shown so the operator sees it.
  for (const use of uses.values()) keks.push({ ...use, provider: 'none', state: 'active' });
  return { provider: top.kind, current: top.currentKekId, keks };
}

export interface RotateOptions {
  /** Keys re-wrapped per transaction. */
  batchSize: number;
  /** false: re-wrap under the current KEK without making a new one (moving to the HSM). */
  newVersion: boolean;
  /**
   * How long to let wraps already in flight in other processes (begun under the old KEK just
   * before the rotation) commit before the last sweep and the count that allows retirement.
   */
  settleMs: number;
  onBatch?: (done: number, total: number) => void | Promise<void>;
}

export interface RotateResult {
  from: string;
  to: string;
  /** An earlier, interrupted rotation was finished instead of starting a new version. */
  resumed: boolean;
  rewrapped: number;
  retired: string[];
}

/**
 * Rotation: a new KEK version becomes current (new wraps use it at once, in every process:
 * providers re-read the keyring or token before wrapping), every stored wrap is moved under it
 * in batches, and then each older KEK that a count shows wraps nothing is retired. Safe to
 * interrupt and run again: nothing is retired before the count is zero.
 */
export async function rotateKeys(haven: Haven, opts: RotateOptions): Promise<RotateResult> {
  const provider = haven.provider;
  await provider.refresh();
  const from = provider.currentKekId();
  const store = wraps(haven);
  // Wraps left under older KEKs mean an earlier rotation was interrupted: finish that one.
  const unfinished = (await store.countByKek()).some(
    (u) => u.kekId !== from && u.dataKeys + u.systemKeys > 0,
  );
  const resumed = unfinished && from !== '';
  const to = (opts.newVersion && !resumed) || from === '' ? await provider.rotate() : from;
  if (to !== from) await audit(haven, 'key-rotate', { from: from || 'none', to });
  let rewrapped = await rewrapAll(provider, store, {
    batchSize: opts.batchSize,
    ...(opts.onBatch && { onBatch: opts.onBatch }),
  });
  // A server that read the old current KEK just before the rotation may still be committing a
  // key wrapped under it: give that time to land, then sweep once more before counting.
  if (opts.settleMs > 0) await sleep(opts.settleMs);
  rewrapped += await rewrapAll(provider, store, { batchSize: opts.batchSize });
  const retired: string[] = [];
  const counts = await store.countByKek();
  const status = provider.status();
  for (const part of status.parts ?? [status]) {
    for (const id of part.kekIds) {
      if (id === provider.currentKekId()) continue;
      const use = counts.find((u) => u.kekId === id);
      if (use !== undefined && use.dataKeys + use.systemKeys > 0) continue;
      await provider.retire(id);
      retired.push(id);
      await audit(haven, 'key-retire', { kek: id });
    }
  }
  return { from, to, resumed, rewrapped, retired };
}

async function audit(
  haven: Haven,
  action: 'key-rotate' | 'key-retire',
  detail: Record<string, string>,
): Promise<void> {
  await haven.writer.submit({
    onSuccess: () => [
      {
        action,
        outcome: 'success',
        actorType: 'system',
        actorId: `cli:${os.userInfo().username}`,
        detail,
      },
    ],
    onFailure: () => [],
  });
}
