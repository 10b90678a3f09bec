import crypto from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  DatabaseSessionStore,
  RedisSessionStore,
  type SessionStore,
} from '../../../src/auth/sessions/index.js';
import { openDatabase, SessionRepository, type Database } from '../../../src/store/index.js';
import { makeTarget } from '../../support/engines.js';

export const BACKENDS = ['sqlite', 'postgres', 'redis'] as const;
export type Backend = (typeof BACKENDS)[number];

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface SessionBackend {
  store: SessionStore;
  /** Everything the backend holds for sessions, as text: what an attacker's dump would show. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

export async function openBackend(backend: Backend): Promise<SessionBackend> {
  if (backend === 'redis') return openRedis();
  const target = await makeTarget(backend);
  const database: Database = await openDatabase({
    databaseUrl: target.databaseUrl,
    schema: target.schema,
    sqlitePath: path.join(target.dataDir, 'haven.db'),
  });
  return {
    store: new DatabaseSessionStore(new SessionRepository(database.db)),
    dump: async () => {
      const rows = await database.db.selectFrom('sessions').selectAll().execute();
      return rows.map(rowText).join('\n');
    },
    close: async () => {
      await database.close();
      await target.cleanup();
    },
  };
}

async function openRedis(): Promise<SessionBackend> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // A fresh prefix per run: parallel runs never see each other's keys.
  const prefix = `haven-test-${crypto.randomBytes(6).toString('hex')}:`;
  const keys = () => redis.keys(`${prefix}*`);
  return {
    store: new RedisSessionStore(redis, prefix),
    dump: async () => {
      const parts: string[] = [];
      for (const key of await keys()) {
        const type = await redis.type(key);
        const value = type === 'hash' ? await redis.hgetall(key) : await redis.smembers(key);
        parts.push(key, JSON.stringify(value));
      }
      return parts.join('\n');
    },
    close: async () => {
      const all = await keys();
      if (all.length > 0) await redis.del(...all);
      await redis.quit();
    },
  };
}

/** Every column as text in every encoding a dump tool might print a binary column in. */
function rowText(row: Record<string, unknown>): string {
  return Object.values(row)
    .map((v) =>
      Buffer.isBuffer(v) || v instanceof Uint8Array
        ? [Buffer.from(v).toString('hex'), Buffer.from(v).toString('base64url')].join(' ')
        : String(v),
    )
    .join(' ');
}
