import type { AuditRecorder } from '../../audit/index.js';
import { parseScopes, type RequestContext } from '../../auth/index.js';
import type { VideoConfig } from '../../config/index.js';
import { FhirError, readRecord, type RecordDeps } from '../../records/index.js';
import {
  appointmentFacts,
  closedReason,
  visitWindow,
  type AppointmentFacts,
  type VisitWindow,
} from './appointment-facts.js';
import type { RoomState, RoomStore, VisitRole } from './room-store.js';
import { turnCredential, type IceServer } from './turn-credentials.js';
import { finishVisitEncounter, startVisitEncounter } from './visit-encounter.js';

export type VisitErrorCode =
  | 'not-participant'
  | 'not-yet-open'
  | 'closed'
  | 'not-bookable'
  | 'ended'
  | 'not-clinician'
  | 'nobody-waiting';

const STATUS: Record<VisitErrorCode, number> = {
  'not-participant': 403,
  'not-yet-open': 409,
  closed: 409,
  'not-bookable': 409,
  ended: 409,
  'not-clinician': 403,
  'nobody-waiting': 409,
};

/** A visit refused; the message is a fixed text (never who or when). */
export class VisitError extends Error {
  readonly status: number;
  constructor(readonly code: VisitErrorCode) {
    super(`the visit cannot be entered: ${code}`);
    this.status = STATUS[code];
  }
}

/** A person let into one room: their side, the appointment's facts and its window. */
export interface Admission {
  room: string;
  role: VisitRole;
  facts: AppointmentFacts;
  window: VisitWindow;
}

export interface VisitDeps {
  records: RecordDeps;
  audit: AuditRecorder;
  config: VideoConfig;
  clock: () => Date;
  store: RoomStore;
}

/**
 * Haven itself, as the writer of visit Encounters: neither participant's role need allow
 * writing one (a patient who hangs up ends the visit too), and the audit trail names it.
 */
const VISITS_ACTOR = {
  kind: 'client' as const,
  id: 'haven-video-visits',
  label: 'video visits',
  roles: [],
  scopes: parseScopes('system/Encounter.cru'),
};

/**
 * Video visit rooms (ADR 0027): who may enter which room when, admission, hang-up, and what
 * the audit trail and the record keep of it.
 */
export class VisitService {
  private endedHooks: ((ctx: RequestContext, a: Admission) => Promise<void>)[] = [];

  constructor(private readonly d: VisitDeps) {}

  /** Work to do when a visit ends (a running recording stops and is kept, ADR 0034). */
  onEnded(hook: (ctx: RequestContext, a: Admission) => Promise<void>): void {
    this.endedHooks.push(hook);
  }

  get store(): RoomStore {
    return this.d.store;
  }

  /**
   * Lets a person into an appointment's room, or refuses (and records the refusal). The
   * Appointment is read with the person's own access (so the access policy decides first), and
   * then the person must be linked to its Patient or one of its Practitioner participants: a
   * clinician who may read the record but is not in the appointment stays outside.
   */
  async admission(ctx: RequestContext, room: string): Promise<Admission> {
    const refuse = async (code: VisitErrorCode, role?: VisitRole, patientId?: string) => {
      await this.d.audit.record(ctx, {
        action: 'visit-start',
        outcome: 'denied',
        resourceType: 'Appointment',
        resourceId: room,
        patientId,
        detail: { reason: code, ...(role && { role }) },
      });
      return new VisitError(code);
    };
    let facts: AppointmentFacts | undefined;
    try {
      const bytes = await readRecord(this.d.records, ctx, 'Appointment', room);
      facts = appointmentFacts(JSON.parse(bytes.json.toString('utf8')));
    } catch (e) {
      // Unknown and not-yours answer alike: a room id tells nobody whether it exists.
      if (e instanceof FhirError && (e.status === 403 || e.status === 404 || e.status === 400))
        throw await refuse('not-participant');
      throw e;
    }
    if (!facts) throw await refuse('not-bookable');
    const p = ctx.principal;
    const role: VisitRole | undefined =
      p.patientId !== undefined && p.patientId === facts.patientId
        ? 'patient'
        : p.practitionerId !== undefined && facts.practitionerIds.includes(p.practitionerId)
          ? 'clinician'
          : undefined;
    if (!role) throw await refuse('not-participant', undefined, facts.patientId);
    const window = visitWindow(facts, this.d.config);
    const closed = closedReason(facts, window, this.d.clock());
    if (closed) throw await refuse(closed, role, facts.patientId);
    const state = await this.d.store.read(room);
    if (state.endedAt !== undefined) throw await refuse('ended', role, facts.patientId);
    return { room, role, facts, window };
  }

  async state(room: string): Promise<RoomState> {
    return this.d.store.read(room);
  }

  /** A person's connection entered the room (first time or after a dropped network). */
  async enter(ctx: RequestContext, a: Admission, connection: string): Promise<void> {
    await this.d.store.enter(a.room, a.role, connection);
    const state = await this.d.store.read(a.room);
    if (a.role === 'patient' && state.admittedAt === undefined)
      await this.d.store.setWaiting(a.facts.practitionerIds, a.room, this.d.clock());
    await this.record(ctx, a, 'visit-start', { rejoin: state.admittedAt !== undefined });
    await this.d.store.publish({ room: a.room, kind: 'state' });
  }

  async leave(a: Admission, connection: string): Promise<void> {
    await this.d.store.leave(a.room, a.role, connection);
    const state = await this.d.store.read(a.room);
    if (a.role === 'patient' && state.patient === undefined)
      await this.d.store.clearWaiting(a.facts.practitionerIds, a.room);
    await this.d.store.publish({ room: a.room, kind: 'state' });
  }

  /** The clinician lets the waiting patient in: the visit's Encounter begins now. */
  async admit(ctx: RequestContext, a: Admission): Promise<void> {
    if (a.role !== 'clinician') throw new VisitError('not-clinician');
    const state = await this.d.store.read(a.room);
    if (state.endedAt !== undefined) throw new VisitError('ended');
    if (state.patient === undefined) throw new VisitError('nobody-waiting');
    const now = this.d.clock();
    if (!(await this.d.store.markAdmitted(a.room, now))) return; // admitted already
    let encounterId: string;
    try {
      encounterId = await startVisitEncounter(this.d.records, this.systemContext(ctx), {
        appointmentId: a.room,
        patientId: a.facts.patientId,
        practitionerIds: a.facts.practitionerIds,
        start: now,
      });
    } catch (e) {
      // No visit without its record: the patient stays waiting, the clinician may try again.
      await this.d.store.unmarkAdmitted(a.room);
      throw e;
    }
    await this.d.store.setEncounter(a.room, encounterId);
    await this.d.store.clearWaiting(a.facts.practitionerIds, a.room);
    await this.record(ctx, a, 'visit-admit', { encounter: encounterId });
    await this.d.store.publish({ room: a.room, kind: 'state' });
  }

  /** Either side hangs up: the room ends for both, and the Encounter gets its end. */
  async end(ctx: RequestContext, a: Admission): Promise<void> {
    const now = this.d.clock();
    if (!(await this.d.store.markEnded(a.room, now))) return;
    const state = await this.d.store.read(a.room);
    if (state.encounterId !== undefined)
      await finishVisitEncounter(this.d.records, this.systemContext(ctx), state.encounterId, now);
    await this.d.store.clearWaiting(a.facts.practitionerIds, a.room);
    for (const hook of this.endedHooks) await hook(ctx, a).catch(() => undefined);
    await this.record(ctx, a, 'visit-end', {
      admitted: state.admittedAt !== undefined,
      ...(state.encounterId !== undefined && { encounter: state.encounterId }),
    });
    await this.d.store.publish({ room: a.room, kind: 'ended' });
  }

  /** STUN as configured, and TURN credentials that expire (turn-credentials.ts). */
  iceServers(ctx: RequestContext): { iceServers: IceServer[]; expiresAt?: string } {
    const servers: IceServer[] = [];
    if (this.d.config.stunUrls.length > 0) servers.push({ urls: this.d.config.stunUrls });
    const turn = this.d.config.turn;
    if (!turn) return { iceServers: servers };
    const c = turnCredential(turn, ctx.principal.id, this.d.clock());
    servers.push({ urls: turn.urls, username: c.username, credential: c.credential });
    return { iceServers: servers, expiresAt: c.expiresAt.toISOString() };
  }

  private systemContext(ctx: RequestContext): RequestContext {
    return { ...ctx, principal: VISITS_ACTOR };
  }

  private record(
    ctx: RequestContext,
    a: Admission,
    action: 'visit-start' | 'visit-admit' | 'visit-end',
    detail: Record<string, string | boolean>,
  ): Promise<void> {
    return this.d.audit.record(ctx, {
      action,
      outcome: 'success',
      resourceType: 'Appointment',
      resourceId: a.room,
      patientId: a.facts.patientId,
      detail: { role: a.role, practitioners: a.facts.practitionerIds, ...detail },
    });
  }
}
