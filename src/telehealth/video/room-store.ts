import { EventEmitter } from 'node:events';

export type VisitRole = 'patient' | 'clinician';

/**
 * A room's shared state: which connection of each side is present (opaque ids, so a
 * reconnect replaces the old one), and the moments it was admitted and ended. Nothing here is
 * clinical; the Appointment stays in the record store.
 */
export interface RoomState {
  patient?: string | undefined;
  clinician?: string | undefined;
  admittedAt?: string | undefined;
  endedAt?: string | undefined;
  encounterId?: string | undefined;
}

/** What one server tells every server (itself included) about a room. */
export type RoomEvent =
  | { room: string; kind: 'state' }
  | { room: string; kind: 'signal'; to: VisitRole; data: unknown }
  | { room: string; kind: 'ended' };

export interface WaitingEntry {
  room: string;
  since: string;
}

/**
 * Rooms and their events, in this process (one server) or in Redis (several servers behind a
 * load balancer: redis-room-store.ts). Every change is followed by a published event; each
 * server then tells its own connections.
 */
export interface RoomStore {
  read(room: string): Promise<RoomState>;
  enter(room: string, role: VisitRole, connection: string): Promise<void>;
  /** Removes the connection only if it is still the role's current one (not replaced). */
  leave(room: string, role: VisitRole, connection: string): Promise<void>;
  /** True for the one call that admitted the room; false when it already was. */
  markAdmitted(room: string, at: Date): Promise<boolean>;
  /** Takes an admission back (its Encounter could not be written: fail closed). */
  unmarkAdmitted(room: string): Promise<void>;
  /** True for the one call that ended the room; false when it already was. */
  markEnded(room: string, at: Date): Promise<boolean>;
  setEncounter(room: string, encounterId: string): Promise<void>;
  setWaiting(practitionerIds: string[], room: string, since: Date): Promise<void>;
  clearWaiting(practitionerIds: string[], room: string): Promise<void>;
  waitingFor(practitionerId: string): Promise<WaitingEntry[]>;
  publish(event: RoomEvent): Promise<void>;
  onEvent(handler: (event: RoomEvent) => void): void;
  close(): Promise<void>;
}

/** One server's rooms, in memory (no REDIS_URL). */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, RoomState>();
  private readonly waiting = new Map<string, Map<string, string>>();
  private readonly events = new EventEmitter();

  async read(room: string): Promise<RoomState> {
    return { ...this.rooms.get(room) };
  }
  async enter(room: string, role: VisitRole, connection: string): Promise<void> {
    this.rooms.set(room, { ...this.rooms.get(room), [role]: connection });
  }
  async leave(room: string, role: VisitRole, connection: string): Promise<void> {
    const s = this.rooms.get(room);
    if (s?.[role] === connection) s[role] = undefined;
  }
  async markAdmitted(room: string, at: Date): Promise<boolean> {
    return this.markOnce(room, 'admittedAt', at);
  }
  async unmarkAdmitted(room: string): Promise<void> {
    const s = this.rooms.get(room);
    if (s) s.admittedAt = undefined;
  }
  async markEnded(room: string, at: Date): Promise<boolean> {
    return this.markOnce(room, 'endedAt', at);
  }
  async setEncounter(room: string, encounterId: string): Promise<void> {
    this.rooms.set(room, { ...this.rooms.get(room), encounterId });
  }
  async setWaiting(practitionerIds: string[], room: string, since: Date): Promise<void> {
    for (const p of practitionerIds) {
      const rooms = this.waiting.get(p) ?? new Map<string, string>();
      if (!rooms.has(room)) rooms.set(room, since.toISOString());
      this.waiting.set(p, rooms);
    }
  }
  async clearWaiting(practitionerIds: string[], room: string): Promise<void> {
    for (const p of practitionerIds) this.waiting.get(p)?.delete(room);
  }
  async waitingFor(practitionerId: string): Promise<WaitingEntry[]> {
    return [...(this.waiting.get(practitionerId) ?? [])].map(([room, since]) => ({ room, since }));
  }
  async publish(event: RoomEvent): Promise<void> {
    // Asynchronous like Redis delivery, so no caller depends on being called back in-line.
    setImmediate(() => this.events.emit('event', event));
  }
  onEvent(handler: (event: RoomEvent) => void): void {
    this.events.on('event', handler);
  }
  async close(): Promise<void> {
    this.events.removeAllListeners();
  }

  private markOnce(room: string, field: 'admittedAt' | 'endedAt', at: Date): boolean {
    const s = this.rooms.get(room) ?? {};
    if (s[field] !== undefined) return false;
    this.rooms.set(room, { ...s, [field]: at.toISOString() });
    return true;
  }
}
