import type { Redis } from 'ioredis';
import type { SessionFieldUpdate, SessionRecord, SessionStore } from './session-store.js';

/**
 * Sessions in Redis (when REDIS_URL is set). Each session is a hash at `<prefix>session:<id hash
 * hex>` that Redis expires at the session's absolute end; `<prefix>user-sessions:<userId>` is the
 * set of a user's session hashes, for revoke-all. Times are epoch milliseconds. Every multi-step
 * change is one Lua script, so it is atomic: a touch or update never recreates a session deleted
 * meanwhile (it would come back without a TTL), and a session created during a revoke-all is
 * either revoked or was created after it.
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'haven:',
  ) {}

  async create(r: SessionRecord): Promise<void> {
    // Relative TTL (remaining absolute lifetime at creation), so Redis's clock and Haven's
    // injected clock need not agree.
    const ttlMs = Math.max(1, r.expiresAt.getTime() - r.lastSeenAt.getTime());
    const fields: string[] = [
      'user_id', r.userId,
      'created_at', String(r.createdAt.getTime()),
      'last_seen_at', String(r.lastSeenAt.getTime()),
      'expires_at', String(r.expiresAt.getTime()),
      'csrf_hash', r.csrfHash.toString('hex'),
    ]; // prettier-ignore
    if (r.mfaAt) fields.push('mfa_at', String(r.mfaAt.getTime()));
    if (r.reauthAt) fields.push('reauth_at', String(r.reauthAt.getTime()));
    if (r.ip !== undefined) fields.push('ip', r.ip);
    if (r.userAgent !== undefined) fields.push('user_agent', r.userAgent);
    await this.redis.eval(
      CREATE,
      2,
      this.sessionKey(r.idHash),
      this.userKey(r.userId),
      String(ttlMs),
      r.idHash.toString('hex'),
      ...fields,
    );
  }

  async get(idHash: Buffer): Promise<SessionRecord | undefined> {
    const h = await this.redis.hgetall(this.sessionKey(idHash));
    if (!h.user_id || !h.csrf_hash) return undefined;
    return {
      idHash: Buffer.from(idHash),
      userId: h.user_id,
      createdAt: new Date(Number(h.created_at)),
      lastSeenAt: new Date(Number(h.last_seen_at)),
      expiresAt: new Date(Number(h.expires_at)),
      mfaAt: h.mfa_at ? new Date(Number(h.mfa_at)) : undefined,
      reauthAt: h.reauth_at ? new Date(Number(h.reauth_at)) : undefined,
      csrfHash: Buffer.from(h.csrf_hash, 'hex'),
      ip: h.ip,
      userAgent: h.user_agent,
    };
  }

  async touch(idHash: Buffer, lastSeenAt: Date): Promise<boolean> {
    const r = await this.redis.eval(TOUCH, 1, this.sessionKey(idHash), lastSeenAt.getTime());
    return r === 1;
  }

  async update(idHash: Buffer, fields: SessionFieldUpdate): Promise<boolean> {
    const pairs: string[] = [];
    if (fields.mfaAt) pairs.push('mfa_at', String(fields.mfaAt.getTime()));
    if (fields.reauthAt) pairs.push('reauth_at', String(fields.reauthAt.getTime()));
    const r = await this.redis.eval(UPDATE, 1, this.sessionKey(idHash), ...pairs);
    return r === 1;
  }

  async delete(idHash: Buffer): Promise<boolean> {
    const r = await this.redis.eval(
      DELETE,
      1,
      this.sessionKey(idHash),
      `${this.prefix}user-sessions:`,
      idHash.toString('hex'),
    );
    return r === 1;
  }

  /** Members whose hash Redis has expired are skipped (the set outlives some of its sessions). */
  async listForUser(userId: string): Promise<SessionRecord[]> {
    const members = await this.redis.smembers(this.userKey(userId));
    const found = await Promise.all(members.map((m) => this.get(Buffer.from(m, 'hex'))));
    return found.filter((s): s is SessionRecord => s !== undefined && s.userId === userId);
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const r = await this.redis.eval(DELETE_ALL, 1, this.userKey(userId), `${this.prefix}session:`);
    return Number(r);
  }

  private sessionKey(idHash: Buffer): string {
    return `${this.prefix}session:${idHash.toString('hex')}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}user-sessions:${userId}`;
  }
}

// KEYS: session, user set. ARGV: ttl ms, member, field/value pairs. The user set lives as long as
// the longest-lived session in it.
const CREATE = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[2])
if ttl < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return 1`;

// KEYS: session. ARGV: last seen (ms). Only forwards, only if the session still exists.
const TOUCH = `
local cur = redis.call('HGET', KEYS[1], 'last_seen_at')
if not cur then return 0 end
if tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
return 1`;

// KEYS: session. ARGV: field/value pairs.
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if #ARGV > 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return 1`;

// KEYS: session. ARGV: user-set key prefix, member.
const DELETE = `
local uid = redis.call('HGET', KEYS[1], 'user_id')
if not uid then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. uid, ARGV[2])
return 1`;

// KEYS: user set. ARGV: session key prefix. Counts only sessions still live.
const DELETE_ALL = `
local n = 0
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  n = n + redis.call('DEL', ARGV[1] .. m)
end
redis.call('DEL', KEYS[1])
return n`;
