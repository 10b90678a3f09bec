import { loadOrCreateSystemKey } from '../crypto/index.js';
import { SystemKeyRepository } from '../store/index.js';
import type { Haven } from './open-haven.js';

export type CheckResult = 'ok' | 'fail';

export interface Readiness {
  ready: boolean;
  /** One result per dependency: database, keys, and redis when REDIS_URL is set. */
  checks: Record<string, CheckResult>;
}

/** A check that has not answered in this long counts as failed: a load balancer needs an answer. */
const CHECK_TIMEOUT_MS = 1000;

/**
 * Whether this process can serve PHI right now: the database answers, a wrapped system key
 * still unwraps with the keyring (the same path every record read takes), and Redis answers
 * when sessions live there. Checks run in parallel, each bounded; nothing is created or written.
 */
export async function checkReadiness(haven: Haven): Promise<Readiness> {
  const keys = new SystemKeyRepository(haven.database.db, haven.clock);
  const wrapped = bounded(keys.get('search-cursor'));
  const checks: Record<string, Promise<CheckResult>> = {
    database: wrapped.then(
      () => 'ok' as const,
      () => 'fail' as const,
    ),
    // The key exists since the installation opened, so this only unwraps it.
    keys: bounded(loadOrCreateSystemKey('search-cursor', haven.provider, keys)).then(
      (key) => {
        key.fill(0);
        return 'ok' as const;
      },
      () => 'fail' as const,
    ),
  };
  const ping = haven.people.pingRedis;
  if (ping) {
    checks.redis = bounded(ping()).then(
      () => 'ok' as const,
      () => 'fail' as const,
    );
  }
  const names = Object.keys(checks);
  const results = await Promise.all(Object.values(checks));
  const out = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  return { ready: results.every((r) => r === 'ok'), checks: out };
}

function bounded<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), CHECK_TIMEOUT_MS);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
