import type { Redis } from 'ioredis';
import type { RoomEvent, RoomState, RoomStore, VisitRole, WaitingEntry } from './room-store.js';

/** A room's keys live a day past their last change: long after any visit window. */
const TTL_SECONDS = 86_400;

const LEAVE_IF_CURRENT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

/**
 * Rooms shared by every server on one Redis (REDIS_URL), under the installation's
 * HAVEN_REDIS_PREFIX: the state in one hash per room, the clinicians' waiting lists in one
 * hash per practitioner, and every event on one pub/sub channel that each server subscribes to
 * over its own connection (a subscribed connection can issue no other command).
 */
export class RedisRoomStore implements RoomStore {
  private readonly channel: string;
  private readonly handlers: ((e: RoomEvent) => void)[] = [];

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    this.channel = `${prefix}visit-events`;
  }

  static async open(redis: Redis, prefix: string): Promise<RedisRoomStore> {
    const subscriber = redis.duplicate();
    subscriber.on('error', () => {
      // Reconnects by itself; the main client's listener reports the outage.
    });
    if (subscriber.status !== 'ready' && subscriber.status !== 'connecting')
      await subscriber.connect();
    const store = new RedisRoomStore(redis, subscriber, prefix);
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== store.channel) return;
      let event: RoomEvent;
      try {
        event = JSON.parse(text) as RoomEvent;
      } catch {
        return;
      }
      for (const h of store.handlers) h(event);
    });
    await subscriber.subscribe(store.channel);
    return store;
  }

  private key(room: string): string {
    return `${this.prefix}visit:${room}`;
  }
  private waitingKey(practitionerId: string): string {
    return `${this.prefix}visit-waiting:${practitionerId}`;
  }

  async read(room: string): Promise<RoomState> {
    const h = await this.redis.hgetall(this.key(room));
    return {
      patient: h.patient,
      clinician: h.clinician,
      admittedAt: h.admittedAt,
      endedAt: h.endedAt,
      encounterId: h.encounterId,
    };
  }
  async enter(room: string, role: VisitRole, connection: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(room), role, connection)
      .expire(this.key(room), TTL_SECONDS)
      .exec();
  }
  async leave(room: string, role: VisitRole, connection: string): Promise<void> {
    await this.redis.eval(LEAVE_IF_CURRENT, 1, this.key(room), role, connection);
  }
  async markAdmitted(room: string, at: Date): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(room), 'admittedAt', at.toISOString())) === 1;
  }
  async unmarkAdmitted(room: string): Promise<void> {
    await this.redis.hdel(this.key(room), 'admittedAt');
  }
  async markEnded(room: string, at: Date): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(room), 'endedAt', at.toISOString())) === 1;
  }
  async setEncounter(room: string, encounterId: string): Promise<void> {
    await this.redis.hset(this.key(room), 'encounterId', encounterId);
  }
  async setWaiting(practitionerIds: string[], room: string, since: Date): Promise<void> {
    const m = this.redis.multi();
    for (const p of practitionerIds) {
      m.hsetnx(this.waitingKey(p), room, since.toISOString());
      m.expire(this.waitingKey(p), TTL_SECONDS);
    }
    await m.exec();
  }
  async clearWaiting(practitionerIds: string[], room: string): Promise<void> {
    const m = this.redis.multi();
    for (const p of practitionerIds) m.hdel(this.waitingKey(p), room);
    await m.exec();
  }
  async waitingFor(practitionerId: string): Promise<WaitingEntry[]> {
    const h = await this.redis.hgetall(this.waitingKey(practitionerId));
    return Object.entries(h).map(([room, since]) => ({ room, since }));
  }
  async publish(event: RoomEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(event));
  }
  onEvent(handler: (event: RoomEvent) => void): void {
    this.handlers.push(handler);
  }
  async close(): Promise<void> {
    this.handlers.length = 0;
    this.subscriber.disconnect();
  }
}
