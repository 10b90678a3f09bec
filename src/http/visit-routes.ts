import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { VideoConfig } from '../config/index.js';
import type { RecordDeps } from '../records/index.js';
import {
  CLOSE,
  MAX_MESSAGE_BYTES,
  MemoryRoomStore,
  RecordingError,
  RecordingService,
  RedisRoomStore,
  SignalingHub,
  VisitError,
  VisitService,
  type Admission,
  type RoomStore,
} from '../telehealth/index.js';
import type { Haven } from '../app/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/visit.js';
import { ApiError, requireSameOrigin, sessionOf } from './session-auth.js';

export interface VisitRouteOptions extends ApiGuardOptions {
  records: RecordDeps;
  video: VideoConfig;
  clock: () => Date;
  redis: Redis | undefined;
  redisPrefix: string;
  recordingRepo: Haven['visitRecordings'];
}

declare module 'fastify' {
  interface FastifyRequest {
    visitAdmission?: Admission;
  }
}

/**
 * Video visits (ADR 0027): the room summary, ICE servers with expiring TURN credentials, the
 * clinician's waiting list, and the signaling WebSocket. Every route needs a person's session
 * with its second factor; the room routes also need the person to be a participant of the
 * Appointment inside its time window (VisitService.admission decides, and records refusals).
 */
export async function visitRoutes(app: ApiApp, o: VisitRouteOptions): Promise<void> {
  const store: RoomStore = o.redis
    ? await RedisRoomStore.open(o.redis, o.redisPrefix)
    : new MemoryRoomStore();
  app.addHook('onClose', async () => store.close());
  const visits = new VisitService({
    records: o.records,
    audit: o.audit,
    config: o.video,
    clock: o.clock,
    store,
  });
  const hub = new SignalingHub(visits);
  const recordings = new RecordingService({
    records: o.records,
    config: o.video,
    clock: o.clock,
    repo: o.recordingRepo,
    visits,
  });
  visits.onEnded((ctx, a) => recordings.visitEnded(ctx, a));
  // Silent sockets too end with their session: checked again every so often (ADR 0027).
  const sweeping = setInterval(() => void hub.sweep(), SESSION_RECHECK_MS);
  sweeping.unref();
  app.addHook('onClose', async () => clearInterval(sweeping));
  const { sessions, users } = o.people;
  /** The session the socket was opened with: live, not revoked, its person not disabled. */
  const aliveCheck = (req: FastifyRequest) => {
    const { id, session } = sessionOf(req);
    return async () =>
      (await sessions.resolve(id, { touch: false })) !== undefined &&
      (await users.account(session.userId)) !== undefined;
  };
  const { route, contextOf } = apiGuard(app, o, translate);
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  // @fastify/websocket hides its routes from the API description; every /api route is in it.
  app.addHook('onRoute', (r) => {
    if (r.url === SIGNAL && r.schema) r.schema.hide = false;
  });

  /** After the session guard: the person must be let into this room now. */
  const admitted = async (req: FastifyRequest) => {
    const { id } = req.params as { id: string };
    req.visitAdmission = await visits.admission(contextOf(req), id);
  };
  const admissionOf = (req: FastifyRequest): Admission => {
    if (!req.visitAdmission) throw new ApiError(403, 'not-participant', 'not your visit');
    return req.visitAdmission;
  };
  const inRoom = <T extends object>(schema: T) => {
    const r = route('session:active', schema);
    return { ...r, preHandler: [r.preHandler, admitted] };
  };

  app.get('/api/visits/waiting', route('session:active', S.waiting), async (req) => {
    const practitionerId = contextOf(req).principal.practitionerId;
    if (practitionerId === undefined)
      throw new ApiError(403, 'not-clinician', 'only a clinician has a waiting list');
    const rows = await store.waitingFor(practitionerId);
    return { waiting: rows.map((r) => ({ appointment: r.room, since: r.since })) };
  });

  app.get('/api/visits/:id', inRoom(S.visit), async (req) => {
    const a = admissionOf(req);
    const s = await visits.state(a.room);
    return {
      role: a.role,
      patientId: a.facts.patientId,
      practitionerIds: a.facts.practitionerIds,
      start: a.facts.start.toISOString(),
      end: a.facts.end.toISOString(),
      opensAt: a.window.opensAt.toISOString(),
      closesAt: a.window.closesAt.toISOString(),
      room: {
        patientPresent: s.patient !== undefined,
        clinicianPresent: s.clinician !== undefined,
        admitted: s.admittedAt !== undefined,
        ended: s.endedAt !== undefined,
        encounterId: s.encounterId ?? null,
      },
      recording: o.video.recording,
    };
  });

  app.get('/api/visits/:id/ice-servers', inRoom(S.iceServers), async (req) => {
    admissionOf(req);
    return visits.iceServers(contextOf(req));
  });

  // Recording (ADR 0034): participants of a running visit only (the same room decision).
  app.get('/api/visits/:id/recording', inRoom(S.recordingStatus), async (req) =>
    recordings.status(contextOf(req), admissionOf(req)),
  );

  app.put('/api/visits/:id/recording/consent', inRoom(S.recordingConsent), async (req) => {
    const ctx = contextOf(req);
    const a = admissionOf(req);
    await recordings.consent(ctx, a, req.body.given);
    return recordings.status(ctx, a);
  });

  app.post('/api/visits/:id/recordings', inRoom(S.recordingStart), async (req, reply) => {
    const started = await recordings.start(contextOf(req), admissionOf(req));
    return reply.code(201).send(started);
  });

  app.post(
    '/api/visits/:id/recordings/:recording/chunks',
    { ...inRoom(S.recordingChunk), bodyLimit: CHUNK_BODY_LIMIT },
    async (req) =>
      recordings.chunk(
        contextOf(req),
        admissionOf(req),
        req.params.recording,
        req.body.seq,
        Buffer.from(req.body.data, 'base64'),
      ),
  );

  app.post('/api/visits/:id/recordings/:recording/stop', inRoom(S.recordingStop), async (req) =>
    recordings.stop(contextOf(req), admissionOf(req), req.params.recording),
  );

  // A WebSocket upgrade is a GET, which the session guard lets through without an Origin; a
  // browser always sends one on a WebSocket, so here it is required and must be Haven's own
  // (cross-site WebSocket hijacking would otherwise ride on the cookie).
  const ws = route('session:active', S.signal);
  app.get(
    SIGNAL,
    {
      ...ws,
      websocket: true,
      preHandler: [
        ws.preHandler,
        async (req: FastifyRequest) => {
          if (req.headers.origin === undefined)
            throw new ApiError(403, 'cross-site', 'cross-site requests are refused');
          requireSameOrigin(req, o.publicBaseUrl);
        },
        admitted,
      ],
    },
    async (socket, req) => {
      try {
        await hub.connect(socket, contextOf(req), admissionOf(req), aliveCheck(req));
      } catch {
        // The room store (Redis) or the audit trail is away: nobody enters unrecorded.
        socket.close(CLOSE.failed, 'unavailable');
      }
    },
  );
}

const SIGNAL = '/api/visits/:id/signal';
/** A chunk's JSON: base64 of at most 1 MiB and a sequence number. */
const CHUNK_BODY_LIMIT = 1_500_000;
/** How often open sockets re-check their sessions (a message or a relay checks at once). */
const SESSION_RECHECK_MS = 15_000;

function translate(error: unknown): ApiError | undefined {
  if (error instanceof RecordingError)
    return new ApiError(error.status, error.code, 'the recording request was refused');
  return error instanceof VisitError
    ? new ApiError(error.status, error.code, 'the visit cannot be entered now')
    : undefined;
}
