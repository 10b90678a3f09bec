import crypto from 'node:crypto';
import type { RequestContext } from '../../auth/index.js';
import type { RoomEvent, RoomState, VisitRole } from './room-store.js';
import {
  ClientMessage,
  MAX_MESSAGE_BYTES,
  RATE,
  type RoomStateMessage,
  type SignalData,
} from './signaling-messages.js';
import { VisitError, type Admission, type VisitService } from './visit-service.js';

/** The socket as the hub needs it (a `ws` WebSocket fits). */
export interface VisitSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[]) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** Close codes the web app tells apart. */
export const CLOSE = {
  ended: 4000,
  replaced: 4001,
  invalid: 4002,
  rateLimited: 4003,
  failed: 4004,
  /** The person's session ended (sign-out, idle or absolute logoff, revocation, disabled). */
  sessionEnded: 4401,
} as const;

/** Whether the session the socket was opened with is still live (and its person active). */
export type SessionCheck = () => Promise<boolean>;

interface Connection {
  id: string;
  socket: VisitSocket;
  admission: Admission;
  ctx: RequestContext;
  alive: SessionCheck;
  tokens: number;
  refilledAt: number;
}

/**
 * This server's visit sockets. Every change goes through the room store, and every event comes
 * back from it (from this server or another, over Redis), so a patient on one server and a
 * clinician on another see the same room and relay to each other.
 */
export class SignalingHub {
  private readonly rooms = new Map<string, Map<VisitRole, Connection>>();

  constructor(
    private readonly visits: VisitService,
    private readonly now: () => number = Date.now,
  ) {
    visits.store.onEvent((e) => void this.deliver(e));
  }

  /**
   * `alive` is asked again on each message from the socket, before each signal relayed to it and
   * by sweep(): a socket does not outlive its session (ADR 0027, "The socket ends with the
   * session"). Closing it is, for the other side, a drop.
   */
  async connect(
    socket: VisitSocket,
    ctx: RequestContext,
    admission: Admission,
    alive: SessionCheck,
  ): Promise<void> {
    const c: Connection = {
      id: crypto.randomBytes(12).toString('base64url'),
      socket,
      admission,
      ctx,
      alive,
      tokens: RATE.burst,
      refilledAt: this.now(),
    };
    const local = this.rooms.get(admission.room) ?? new Map<VisitRole, Connection>();
    const previous = local.get(admission.role);
    local.set(admission.role, c);
    this.rooms.set(admission.room, local);
    if (previous) previous.socket.close(CLOSE.replaced, 'replaced');
    let queue = Promise.resolve();
    socket.on('message', (data) => {
      // One message at a time per connection, in order (an answer before its candidates).
      queue = queue.then(() => this.receive(c, data)).catch(() => this.fail(c));
    });
    socket.on('close', () => {
      if (local.get(admission.role) === c) local.delete(admission.role);
      if (local.size === 0 && this.rooms.get(admission.room) === local)
        this.rooms.delete(admission.room);
      queue = queue.then(() => this.visits.leave(admission, c.id)).catch(() => undefined);
    });
    await this.visits.enter(ctx, admission, c.id);
  }

  /**
   * Closes every socket here whose session has ended. Run on a timer by the route plugin, so a
   * silent socket (no message either way) also ends with its session.
   */
  async sweep(): Promise<void> {
    const all = [...this.rooms.values()].flatMap((local) => [...local.values()]);
    await Promise.all(all.map((c) => this.stillSignedIn(c)));
  }

  /** False (and the socket closed) when the session is gone; a failed check fails closed. */
  private async stillSignedIn(c: Connection): Promise<boolean> {
    let live: boolean;
    try {
      live = await c.alive();
    } catch {
      live = false;
    }
    if (live) return true;
    send(c, { type: 'error', code: 'session-ended' });
    c.socket.close(CLOSE.sessionEnded, 'session-ended');
    return false;
  }

  private async receive(c: Connection, data: Buffer | ArrayBuffer | Buffer[]): Promise<void> {
    if (!(await this.stillSignedIn(c))) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (!this.take(c)) {
      send(c, { type: 'error', code: 'rate-limited' });
      c.socket.close(CLOSE.rateLimited, 'rate-limited');
      return;
    }
    let parsed: ClientMessage;
    try {
      if (bytes.length > MAX_MESSAGE_BYTES) throw new Error('too large');
      parsed = ClientMessage.parse(JSON.parse(bytes.toString('utf8')));
    } catch {
      send(c, { type: 'error', code: 'invalid-message' });
      c.socket.close(CLOSE.invalid, 'invalid-message');
      return;
    }
    const a = c.admission;
    try {
      if (parsed.type === 'admit') await this.visits.admit(c.ctx, a);
      else if (parsed.type === 'hangup') await this.visits.end(c.ctx, a);
      else {
        const state = await this.visits.state(a.room);
        // Nothing passes between the two before the clinician has admitted the patient.
        if (state.admittedAt === undefined || state.endedAt !== undefined) {
          send(c, { type: 'error', code: 'not-admitted' });
          return;
        }
        const { type: _, ...signal } = parsed;
        await this.visits.store.publish({
          room: a.room,
          kind: 'signal',
          to: a.role === 'patient' ? 'clinician' : 'patient',
          data: signal,
        });
      }
    } catch (e) {
      if (!(e instanceof VisitError)) throw e;
      send(c, { type: 'error', code: e.code });
    }
  }

  private take(c: Connection): boolean {
    const now = this.now();
    c.tokens = Math.min(RATE.burst, c.tokens + ((now - c.refilledAt) / 1000) * RATE.perSecond);
    c.refilledAt = now;
    if (c.tokens < 1) return false;
    c.tokens -= 1;
    return true;
  }

  private fail(c: Connection): void {
    send(c, { type: 'error', code: 'unavailable' });
    c.socket.close(CLOSE.failed, 'unavailable');
  }

  private async deliver(e: RoomEvent): Promise<void> {
    const local = this.rooms.get(e.room);
    if (!local) return;
    if (e.kind === 'signal') {
      const to = local.get(e.to);
      if (to && (await this.stillSignedIn(to)))
        send(to, { type: 'signal', ...(e.data as SignalData) });
      return;
    }
    if (e.kind === 'ended') {
      for (const c of local.values()) {
        send(c, { type: 'ended' });
        c.socket.close(CLOSE.ended, 'ended');
      }
      return;
    }
    let state: RoomState;
    try {
      state = await this.visits.state(e.room);
    } catch {
      return; // Redis away: the next event (or the client's reconnect) brings the state
    }
    for (const c of local.values()) {
      const role = c.admission.role;
      // Replaced by a newer connection of the same person on another server.
      if (state[role] !== undefined && state[role] !== c.id) {
        c.socket.close(CLOSE.replaced, 'replaced');
        continue;
      }
      send(c, stateMessage(role, state));
    }
  }
}

function stateMessage(role: VisitRole, s: RoomState): RoomStateMessage {
  const peer = role === 'patient' ? s.clinician : s.patient;
  return {
    type: 'state',
    role,
    patientPresent: s.patient !== undefined,
    clinicianPresent: s.clinician !== undefined,
    admitted: s.admittedAt !== undefined,
    ended: s.endedAt !== undefined,
    // The other side's connection id is opaque and only says "a new connection".
    peer:
      peer === undefined
        ? null
        : crypto.createHash('sha256').update(peer).digest('hex').slice(0, 16),
    encounterId: s.encounterId ?? null,
  };
}

function send(c: Connection, message: object): void {
  try {
    c.socket.send(JSON.stringify(message));
  } catch {
    // A socket closing meanwhile: its close handler cleans up.
  }
}
