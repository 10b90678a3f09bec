import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, MINUTE, TestClock } from '../../http/auth/sign-in.js';
import { ENGINES } from '../../support/engines.js';
import { startTestServer, type TestServer } from '../../support/haven-server.js';
import {
  appointment,
  openVisitSocket,
  refusal,
  visitFixture,
  type VisitClient,
  type VisitFixture,
} from './visit-fixture.js';

const TURN_SECRET = 'a-test-only-turn-shared-secret';

/**
 * The signaling socket and the visit routes without a browser (ADR 0027): who gets in, when,
 * the waiting room and admission, relaying, reconnect, hang-up, the Encounter and the audit
 * trail. On both engines: the Appointment and Encounter live in the record store.
 */
describe.each(ENGINES)('video visit signaling (%s)', (engine) => {
  const clock = new TestClock();
  let t: TestServer;
  let f: VisitFixture;

  beforeAll(async () => {
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: {
        HAVEN_TURN_URLS: 'turn:127.0.0.1:3478?transport=udp',
        HAVEN_TURN_SECRET: TURN_SECRET,
        HAVEN_STUN_URLS: 'stun:127.0.0.1:3478',
      },
    });
    f = await visitFixture(t, clock);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const audit = async (from: number, action: string) =>
    (await t.haven.auditRepo.entries(from, 100_000)).filter((e) => e.action === action);
  const head = async () => (await t.haven.auditRepo.head()).size;
  const isState = (pred: (m: Record<string, unknown>) => boolean) => (m: Record<string, unknown>) =>
    m.type === 'state' && pred(m);

  it('refuses an upgrade without a session, without or with a foreign Origin, and to non-participants (audited)', async () => {
    const room = f.appointmentId;
    expect(await refusal(openVisitSocket(t, room))).toEqual({
      status: 401,
      code: 'session-required',
    });
    expect(await refusal(openVisitSocket(t, room, { jar: f.patient, origin: null }))).toEqual({
      status: 403,
      code: 'cross-site',
    });
    expect(
      await refusal(openVisitSocket(t, room, { jar: f.patient, origin: 'https://evil.example' })),
    ).toEqual({ status: 403, code: 'cross-site' });
    const from = await head();
    // The link without the participant's session: another patient, a clinician not in it.
    for (const jar of [f.stranger, f.otherClinician])
      expect(await refusal(openVisitSocket(t, room, { jar }))).toEqual({
        status: 403,
        code: 'not-participant',
      });
    // A room id that does not exist is refused the same way (no existence oracle).
    expect(await refusal(openVisitSocket(t, 'no-such-room', { jar: f.patient }))).toEqual({
      status: 403,
      code: 'not-participant',
    });
    const denied = (await audit(from, 'visit-start')).filter((e) => e.outcome === 'denied');
    expect(denied.length).toBe(3);
    expect(denied.every((e) => e.resource_id !== null && e.actor_id !== null)).toBe(true);
    // Nor do the other routes answer them.
    const ice = await api(t, 'GET', `/api/visits/${room}/ice-servers`, { jar: f.stranger });
    expect([ice.status, ice.json().error]).toEqual([
      403,
      expect.objectContaining({ code: 'not-participant' }),
    ]);
  });

  it('opens only in the window around the appointment (15 minutes before to 30 after)', async () => {
    // Appointments of 20 minutes placed around the server's (injected) clock.
    const at = (minutesFromNow: number) =>
      appointment(
        t,
        f.patientId,
        f.practitionerId,
        new Date(clock.now.getTime() + minutesFromNow * MINUTE),
      );
    const [early, justOpen, justOpenAfter, closed] = await Promise.all([
      at(16), // opens in a minute
      at(14),
      at(-20 - 29), // ended 29 minutes ago
      at(-20 - 31), // ended 31 minutes ago
    ]);
    expect(await refusal(openVisitSocket(t, early!, { jar: f.patient }))).toEqual({
      status: 409,
      code: 'not-yet-open',
    });
    expect(await refusal(openVisitSocket(t, closed!, { jar: f.clinician }))).toEqual({
      status: 409,
      code: 'closed',
    });
    for (const room of [justOpen!, justOpenAfter!]) {
      const res = await api(t, 'GET', `/api/visits/${room}`, { jar: f.patient });
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ role: 'patient', room: { admitted: false } });
    }
    // A cancelled appointment has no room, whatever its time.
    const cancelled = await at(0);
    const current = (await t.request('GET', `/fhir/R4/Appointment/${cancelled}`)).json();
    await t.request('PUT', `/fhir/R4/Appointment/${cancelled}`, {
      body: { ...current, status: 'cancelled' },
    });
    expect(await refusal(openVisitSocket(t, cancelled, { jar: f.patient }))).toEqual({
      status: 409,
      code: 'not-bookable',
    });
  });

  it('issues TURN credentials that expire, signed with the shared secret, to participants', async () => {
    const res = await api(t, 'GET', `/api/visits/${f.appointmentId}/ice-servers`, {
      jar: f.patient,
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as {
      iceServers: { urls: string[]; username?: string; credential?: string }[];
      expiresAt: string;
    };
    const turn = body.iceServers.find((s) => s.urls[0]!.startsWith('turn:'))!;
    const [expiry, opaque] = turn.username!.split(':');
    expect(Number(expiry)).toBe(Math.floor(clock.now.getTime() / 1000) + 600);
    expect(new Date(body.expiresAt).getTime()).toBe(Number(expiry) * 1000);
    // An opaque 16-character id (a keyed hash, not the user id: those are UUIDs), one per person.
    expect(opaque).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const other = await api(t, 'GET', `/api/visits/${f.appointmentId}/ice-servers`, {
      jar: f.clinician,
    });
    const otherUser = (other.json() as typeof body).iceServers.find((s) => s.username)!.username!;
    expect(otherUser.split(':')[1]).not.toBe(opaque);
    expect(turn.credential).toBe(
      crypto.createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'),
    );
    expect(body.iceServers.find((s) => s.urls[0]!.startsWith('stun:'))).toEqual({
      urls: ['stun:127.0.0.1:3478'],
    });
  });

  it('waits, admits, relays, survives a dropped connection, and one hang-up ends both sides', async () => {
    const from = await head();
    const room = f.appointmentId;
    const patient = await openVisitSocket(t, room, { jar: f.patient });
    await patient.next(isState((m) => m.patientPresent === true && m.admitted === false));
    // The clinician's waiting list shows the room; the patient has no waiting list.
    await expect
      .poll(async () => (await api(t, 'GET', '/api/visits/waiting', { jar: f.clinician })).json())
      .toEqual({ waiting: [{ appointment: room, since: expect.any(String) }] });
    expect((await api(t, 'GET', '/api/visits/waiting', { jar: f.patient })).status).toBe(403);

    // Before admission nothing is relayed, and only the clinician admits.
    patient.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0' } });
    await patient.next((m) => m.type === 'error' && m.code === 'not-admitted');
    patient.send({ type: 'admit' });
    await patient.next((m) => m.type === 'error' && m.code === 'not-clinician');

    const clinician = await openVisitSocket(t, room, { jar: f.clinician });
    await clinician.next(isState((m) => m.patientPresent === true && m.admitted === false));
    clinician.send({ type: 'admit' });
    const admitted = await clinician.next(isState((m) => m.admitted === true));
    await patient.next(isState((m) => m.admitted === true && m.clinicianPresent === true));
    expect((await api(t, 'GET', '/api/visits/waiting', { jar: f.clinician })).json()).toEqual({
      waiting: [],
    });

    clinician.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0 offer' } });
    expect(await patient.next((m) => m.type === 'signal')).toEqual({
      type: 'signal',
      description: { type: 'offer', sdp: 'v=0 offer' },
    });
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' };
    patient.send({ type: 'signal', candidate });
    expect(await clinician.next((m) => m.type === 'signal')).toEqual({ type: 'signal', candidate });

    // The patient's network drops; the same person comes back to the same room, still admitted.
    patient.ws.terminate();
    await clinician.next(isState((m) => m.patientPresent === false));
    const back = await openVisitSocket(t, room, { jar: f.patient });
    await back.next(isState((m) => m.admitted === true && m.clinicianPresent === true));
    const renewed = await clinician.next(
      isState((m) => m.patientPresent === true && m.peer !== admitted.peer),
    );
    expect(renewed.admitted).toBe(true);

    back.send({ type: 'hangup' });
    expect(await back.next((m) => m.type === 'ended')).toEqual({ type: 'ended' });
    expect(await clinician.next((m) => m.type === 'ended')).toEqual({ type: 'ended' });
    expect((await back.closed).code).toBe(4000);
    expect((await clinician.closed).code).toBe(4000);
    // Ended is ended: nobody re-enters.
    expect(await refusal(openVisitSocket(t, room, { jar: f.clinician }))).toEqual({
      status: 409,
      code: 'ended',
    });

    // The Encounter: class VR, the Appointment, the participants, admission to hang-up.
    const encounterId = String(admitted.encounterId);
    const enc = (await t.request('GET', `/fhir/R4/Encounter/${encounterId}`)).json() as Record<
      string,
      unknown
    >;
    expect(enc).toMatchObject({
      status: 'finished',
      class: { code: 'VR' },
      subject: { reference: `Patient/${f.patientId}` },
      appointment: [{ reference: `Appointment/${room}` }],
      participant: [{ individual: { reference: `Practitioner/${f.practitionerId}` } }],
      period: { start: expect.any(String), end: expect.any(String) },
    });

    // The audit trail: each entry, each participant, the patient's record named.
    const starts = (await audit(from, 'visit-start')).filter((e) => e.outcome === 'success');
    expect(starts.map((e) => JSON.parse(e.detail!).role).sort()).toEqual([
      'clinician',
      'patient',
      'patient',
    ]);
    const [admit] = await audit(from, 'visit-admit');
    const [end] = await audit(from, 'visit-end');
    expect(JSON.parse(admit!.detail!)).toMatchObject({ role: 'clinician', encounter: encounterId });
    expect(JSON.parse(end!.detail!)).toMatchObject({ role: 'patient', encounter: encounterId });
    for (const e of [...starts, admit!, end!]) expect(e.patient_id).toBe(f.patientId);
  });

  it('closes a socket that sends an oversized, malformed or too many messages', async () => {
    const room = await appointment(t, f.patientId, f.practitionerId, clock.now);
    const big = await openVisitSocket(t, room, { jar: f.patient });
    big.send({ type: 'signal', description: { type: 'offer', sdp: 'x'.repeat(64 * 1024) } });
    expect((await big.closed).code).toBe(1009);
    const odd = await openVisitSocket(t, room, { jar: f.patient });
    odd.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0' }, extra: 'no' });
    expect((await odd.closed).code).toBe(4002);
    const notJson = await openVisitSocket(t, room, { jar: f.patient });
    notJson.send('not json');
    expect((await notJson.closed).code).toBe(4002);
    const flood: VisitClient = await openVisitSocket(t, room, { jar: f.patient });
    for (let i = 0; i < 200; i++) flood.send({ type: 'admit' });
    expect((await flood.closed).code).toBe(4003);
  });
  // Last in this file: it ends the fixture's patient session.
  it('closes a socket whose session ends (sign-out, then idle logoff) and relays nothing more', async () => {
    const room = await appointment(t, f.patientId, f.practitionerId, clock.now);
    const patient = await openVisitSocket(t, room, { jar: f.patient });
    const clinician = await openVisitSocket(t, room, { jar: f.clinician });
    await clinician.next(isState((m) => m.patientPresent === true));
    clinician.send({ type: 'admit' });
    await patient.next(isState((m) => m.admitted === true && m.clinicianPresent === true));
    clinician.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0 before' } });
    await patient.next((m) => m.type === 'signal');

    // The patient signs out (in another tab): the open socket no longer counts as signed in.
    expect((await api(t, 'POST', '/api/logout', { jar: f.patient })).status).toBe(204);
    clinician.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0 after' } });
    expect((await patient.closed).code).toBe(4401);
    expect(patient.messages.filter((m) => m.type === 'signal')).toHaveLength(1);
    // For the clinician it is a drop: the patient is gone, the visit is not ended.
    const left = await clinician.next(isState((m) => m.patientPresent === false));
    expect(left.ended).toBe(false);
    // A stolen copy of the ended session opens nothing.
    expect(await refusal(openVisitSocket(t, room, { jar: f.patient }))).toEqual({
      status: 401,
      code: 'session-required',
    });

    // The clinician's session times out while the socket stays open: the next message ends it.
    clock.advance(16 * MINUTE);
    clinician.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0 idle' } });
    expect((await clinician.closed).code).toBe(4401);
    expect(clinician.messages.some((m) => m.type === 'error' && m.code === 'session-ended')).toBe(
      true,
    );
  });
});
