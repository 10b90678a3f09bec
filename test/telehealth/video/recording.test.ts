import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, TestClock, type Jar } from '../../http/auth/sign-in.js';
import { ENGINES, TEST_DATABASE_URL } from '../../support/engines.js';
import { startTestServer, type TestServer } from '../../support/haven-server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { appointment, openVisitSocket, visitFixture, type VisitFixture } from './visit-fixture.js';

/** A WebM-looking chunk: the EBML header first, then a marker that must never be stored in clear. */
const MARKER = 'SYNTHETIC-RECORDING-MARKER';
const chunk = (n: number, first = false) =>
  Buffer.concat([
    first ? Buffer.from([0x1a, 0x45, 0xdf, 0xa3]) : Buffer.alloc(0),
    Buffer.from(`${MARKER}-${n}-`.padEnd(64, 'x')),
  ]);

/** Admits the patient into `room` over real signaling sockets; returns them (to hang up). */
async function runningVisit(t: TestServer, f: VisitFixture, room: string) {
  const patient = await openVisitSocket(t, room, { jar: f.patient });
  const clinician = await openVisitSocket(t, room, { jar: f.clinician });
  await clinician.next((m) => m.type === 'state' && m.patientPresent === true);
  clinician.send({ type: 'admit' });
  await clinician.next((m) => m.type === 'state' && m.admitted === true);
  return { patient, clinician };
}

const consent = (t: TestServer, room: string, jar: Jar, given: boolean) =>
  api(t, 'PUT', `/api/visits/${room}/recording/consent`, { jar, body: { given } });
const start = (t: TestServer, room: string, jar: Jar) =>
  api(t, 'POST', `/api/visits/${room}/recordings`, { jar });
const send = (t: TestServer, room: string, jar: Jar, rec: string, seq: number, data: Buffer) =>
  api(t, 'POST', `/api/visits/${room}/recordings/${rec}/chunks`, {
    jar,
    body: { seq, data: data.toString('base64') },
  });
const stop = (t: TestServer, room: string, jar: Jar, rec: string) =>
  api(t, 'POST', `/api/visits/${room}/recordings/${rec}/stop`, { jar });
const code = (r: { json(): Record<string, unknown> }) =>
  (r.json().error as { code?: string } | undefined)?.code;

/**
 * Visit recording (ADR 0034) without a browser, on both engines: the consent gate (each consent
 * a FHIR Consent), chunks only in order from the person recording a running visit of theirs,
 * sealed under the patient's key, the size cap, parallel uploads, withdrawal, the switch, and
 * playback under the record's access policy, audited.
 */
describe.each(ENGINES)('visit recording (%s)', (engine) => {
  const clock = new TestClock();
  /** The second server's own clock: its sign-ins must not age the first server's sessions. */
  const offClock = new TestClock();
  let t: TestServer;
  let off: TestServer;
  let f: VisitFixture;
  let fOff: VisitFixture;

  beforeAll(async () => {
    [t, off] = await Promise.all([
      startTestServer(engine, {
        clock: clock.fn,
        env: { HAVEN_VISIT_RECORDING: '1', HAVEN_VISIT_RECORDING_MAX_BYTES: String(1024 * 1024) },
      }),
      startTestServer(engine, { clock: offClock.fn }),
    ]);
    [f, fOff] = await Promise.all([visitFixture(t, clock), visitFixture(off, offClock)]);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await off?.stop();
  });

  const audit = async (from: number, action: string) =>
    (await t.haven.auditRepo.entries(from, 100_000)).filter((e) => e.action === action);
  const head = async () => (await t.haven.auditRepo.head()).size;
  const newRoom = () => appointment(t, f.patientId, f.practitionerId, clock.now);

  it('needs both consents (FHIR Consents), takes chunks in order from the recorder only, and plays back under the record policy', async () => {
    const room = f.appointmentId;
    const from = await head();
    // Before admission there is nothing to consent to.
    expect(code(await consent(t, room, f.patient, true))).toBe('not-admitted');
    const sockets = await runningVisit(t, f, room);

    expect(code(await start(t, room, f.clinician))).toBe('no-consent');
    expect((await consent(t, room, f.clinician, true)).json()).toMatchObject({
      enabled: true,
      consents: { patient: false, clinician: true },
    });
    // One consent is not enough, whoever asks.
    expect(code(await start(t, room, f.clinician))).toBe('no-consent');
    expect(code(await start(t, room, f.patient))).toBe('no-consent');
    expect((await consent(t, room, f.patient, true)).json()).toMatchObject({
      consents: { patient: true, clinician: true },
      active: null,
    });
    // Consenting twice keeps the one Consent.
    await consent(t, room, f.patient, true);
    const consents = await t.request('GET', `/fhir/R4/Consent?patient=${f.patientId}`);
    const resources = (
      consents.json() as { entry?: { resource: Record<string, unknown> }[] }
    ).entry!.map((e) => e.resource);
    expect(resources).toHaveLength(2);
    for (const c of resources)
      expect(c).toMatchObject({
        status: 'active',
        patient: { reference: `Patient/${f.patientId}` },
        category: expect.arrayContaining([
          { coding: [expect.objectContaining({ code: 'visit-recording' })] },
        ]),
        provision: {
          data: expect.arrayContaining([
            { meaning: 'related', reference: { reference: `Appointment/${room}` } },
          ]),
        },
      });
    expect(
      resources.map((c) => (c.performer as { reference: string }[])[0]!.reference).sort(),
    ).toEqual([`Patient/${f.patientId}`, `Practitioner/${f.practitionerId}`].sort());

    // The link without the participant's session gets nothing.
    for (const jar of [f.stranger, f.otherClinician])
      expect(code(await consent(t, room, jar, true))).toBe('not-participant');

    const started = await start(t, room, f.clinician);
    expect(started.status).toBe(201);
    const rec = String(started.json().id);
    expect(code(await start(t, room, f.clinician))).toBe('running');

    // The first chunk must be WebM.
    expect(code(await send(t, room, f.clinician, rec, 0, chunk(0)))).toBe('invalid-chunk');
    expect((await send(t, room, f.clinician, rec, 0, chunk(0, true))).json()).toEqual({
      nextSeq: 1,
    });
    // Out of order, again, from the other participant, from strangers: refused.
    expect(code(await send(t, room, f.clinician, rec, 2, chunk(2)))).toBe('out-of-order');
    expect(code(await send(t, room, f.clinician, rec, 0, chunk(0, true)))).toBe('out-of-order');
    expect(code(await send(t, room, f.patient, rec, 1, chunk(1)))).toBe('not-found');
    expect(code(await send(t, room, f.stranger, rec, 1, chunk(1)))).toBe('not-participant');
    expect(code(await send(t, room, f.otherClinician, rec, 1, chunk(1)))).toBe('not-participant');
    // The same recording through another visit of the same people (open, not running): refused.
    const other = await newRoom();
    expect(code(await send(t, other, f.clinician, rec, 1, chunk(1)))).toBe('not-admitted');

    // Parallel uploads of the same sequence number: exactly one is taken.
    const racing = await Promise.all(
      Array.from({ length: 8 }, () => send(t, room, f.clinician, rec, 1, chunk(1))),
    );
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racing.filter((r) => code(r) === 'out-of-order')).toHaveLength(7);
    expect((await send(t, room, f.clinician, rec, 2, chunk(2))).status).toBe(200);

    // Too big: one chunk over 1 MiB, or the recording over its cap (1 MiB here).
    const big = await send(t, room, f.clinician, rec, 3, Buffer.alloc(1024 * 1024 + 1, 1));
    expect(big.status).toBe(413);
    const most = Buffer.alloc(1024 * 1024 - 100, 2);
    expect(code(await send(t, room, f.clinician, rec, 3, most))).toBe('too-large');

    // Stored sealed: no chunk holds the bytes sent.
    const stored = await t.haven.visitRecordings.chunks(rec);
    expect(stored.map((c) => c.seq)).toEqual([0, 1, 2]);
    for (const c of stored) expect(c.body.includes(Buffer.from(MARKER))).toBe(false);

    const done = await stop(t, room, f.patient, rec);
    expect(done.status).toBe(200);
    const { binary, documentReference } = done.json() as {
      binary: string;
      documentReference: string;
    };
    expect(await t.haven.visitRecordings.chunks(rec)).toEqual([]);
    expect(code(await send(t, room, f.clinician, rec, 3, chunk(3)))).toBe('not-recording');
    // Stopping again answers the same.
    expect((await stop(t, room, f.clinician, rec)).json()).toMatchObject({
      binary,
      documentReference,
    });

    const doc = (await t.request('GET', `/fhir/R4/DocumentReference/${documentReference}`)).json();
    expect(doc).toMatchObject({
      subject: { reference: `Patient/${f.patientId}` },
      content: [{ attachment: { contentType: 'video/webm', url: `Binary/${binary}` } }],
    });

    // Playback: the clinician and the patient (released to them); others refused; each audited.
    const whole = Buffer.concat([chunk(0, true), chunk(1), chunk(2)]);
    const play = (jar: Jar) =>
      api(t, 'GET', `/fhir/R4/Binary/${binary}`, { jar, headers: { accept: 'video/webm' } });
    const fromPlay = await head();
    for (const jar of [f.clinician, f.patient]) {
      const r = await play(jar);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^video\/webm/);
      expect(r.body.equals(whole)).toBe(true);
    }
    for (const jar of [f.stranger, f.otherClinician]) {
      const r = await play(jar);
      expect([403, 404]).toContain(r.status);
      expect(r.body.includes(Buffer.from(MARKER))).toBe(false);
    }
    const downloads = await audit(fromPlay, 'attachment-download');
    expect(downloads.filter((e) => e.outcome === 'success').map((e) => e.resource_id)).toEqual([
      binary,
      binary,
    ]);

    const actions = (await t.haven.auditRepo.entries(from, 100_000)).map((e) => e.action);
    for (const a of ['recording-consent', 'recording-start', 'recording-stop'])
      expect(actions).toContain(a);
    expect((await audit(from, 'recording-consent')).length).toBe(2);
    expect((await audit(from, 'recording-stop')).length).toBe(1);
    sockets.clinician.send({ type: 'hangup' });
    await sockets.patient.closed;
  }, 120_000);

  it('stops when either side withdraws (the Consent inactive), keeping what was recorded', async () => {
    const room = await newRoom();
    const sockets = await runningVisit(t, f, room);
    await consent(t, room, f.patient, true);
    await consent(t, room, f.clinician, true);
    const rec = String((await start(t, room, f.clinician)).json().id);
    expect((await send(t, room, f.clinician, rec, 0, chunk(0, true))).status).toBe(200);
    const from = await head();

    const after = (await consent(t, room, f.patient, false)).json() as {
      consents: { patient: boolean };
      active: unknown;
      recordings: { binary: string }[];
    };
    expect(after.consents.patient).toBe(false);
    expect(after.active).toBeNull();
    expect(after.recordings).toHaveLength(1);
    expect(code(await send(t, room, f.clinician, rec, 1, chunk(1)))).toBe('no-consent');
    expect(code(await start(t, room, f.clinician))).toBe('no-consent');
    expect((await audit(from, 'recording-withdraw')).length).toBe(1);
    expect(
      (await audit(from, 'recording-stop')).map((e) => JSON.parse(e.detail!).reason).sort(),
    ).toEqual(['consent-withdrawn', 'consent-withdrawn']);
    const consents = (
      (
        await t.request('GET', `/fhir/R4/Consent?patient=${f.patientId}&status=inactive`)
      ).json() as {
        entry?: { resource: Record<string, unknown> }[];
      }
    ).entry!;
    expect(consents).toHaveLength(1);
    expect(consents[0]!.resource).toMatchObject({
      performer: [{ reference: `Patient/${f.patientId}` }],
      provision: { period: { end: expect.any(String) } },
    });

    // Consent again, record again, then hang up: the running recording is kept.
    await consent(t, room, f.patient, true);
    const second = String((await start(t, room, f.clinician)).json().id);
    expect((await send(t, room, f.clinician, second, 0, chunk(5, true))).status).toBe(200);
    sockets.patient.send({ type: 'hangup' });
    await sockets.clinician.closed;
    const row = await t.haven.visitRecordings.recording(second);
    expect(row).toMatchObject({ status: 'final', binaryId: expect.any(String) });
    const ended = await audit(from, 'recording-stop');
    expect(ended.map((e) => JSON.parse(e.detail!).reason)).toContain('visit-ended');
    // The visit is over: no more recording requests of any kind.
    expect(code(await start(t, room, f.clinician))).toBe('ended');
  }, 120_000);

  it('refuses everything while the installation has recording off', async () => {
    const room = fOff.appointmentId;
    const sockets = await runningVisit(off, fOff, room);
    const info = await api(off, 'GET', `/api/visits/${room}/recording`, { jar: fOff.clinician });
    expect(info.json()).toMatchObject({ enabled: false });
    for (const jar of [fOff.patient, fOff.clinician])
      expect(code(await consent(off, room, jar, true))).toBe('recording-off');
    expect(code(await start(off, room, fOff.clinician))).toBe('recording-off');
    const forged = '00000000-0000-4000-8000-000000000000';
    expect(code(await send(off, room, fOff.clinician, forged, 0, chunk(0, true)))).toBe(
      'recording-off',
    );
    expect(
      (await off.request('GET', `/fhir/R4/Consent?patient=${fOff.patientId}`)).json(),
    ).toMatchObject({
      total: 0,
    });
    sockets.clinician.send({ type: 'hangup' });
    await sockets.patient.closed;
  }, 60_000);
});

/**
 * PostgreSQL unreachable in the middle of an upload: every chunk is either acknowledged and
 * stored, or refused with 503; after the path comes back the upload resumes at the first chunk
 * not acknowledged, and the recording holds exactly the acknowledged ones.
 */
describe('visit recording while PostgreSQL goes away', () => {
  const clock = new TestClock();
  let t: TestServer;
  let proxy: TcpProxy;
  let f: VisitFixture;
  beforeAll(async () => {
    const pgUrl = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    t = await startTestServer('postgres', {
      clock: clock.fn,
      databaseUrl: pgUrl.toString(),
      env: { HAVEN_VISIT_RECORDING: '1' },
    });
    f = await visitFixture(t, clock);
  }, 120_000);
  afterAll(async () => {
    proxy?.restore();
    await t?.stop();
    await proxy?.close();
  });

  it('acknowledges only stored chunks and resumes in order', async () => {
    const room = f.appointmentId;
    await runningVisit(t, f, room);
    await consent(t, room, f.patient, true);
    await consent(t, room, f.clinician, true);
    const rec = String((await start(t, room, f.clinician)).json().id);
    let next = 0;
    const acknowledged: Buffer[] = [];
    const upload = async () => {
      const data = chunk(next, next === 0);
      const r = await send(t, room, f.clinician, rec, next, data);
      if (r.status === 200) {
        acknowledged.push(data);
        next++;
      } else {
        expect(r.status).toBe(503);
        expect(r.text).not.toContain(MARKER);
      }
      return r.status;
    };
    for (let i = 0; i < 3; i++) expect(await upload()).toBe(200);
    proxy.cut();
    const during = await Promise.all([upload(), upload()]);
    expect(during.filter((s) => s === 200)).toEqual([]);
    proxy.restore();
    // The pool reconnects; the upload carries on from the first chunk not acknowledged.
    await expect.poll(upload, { timeout: 20_000, interval: 200 }).toBe(200);
    expect(await upload()).toBe(200);
    const done = (await stop(t, room, f.clinician, rec)).json() as { binary: string };
    const bytes = await t.request('GET', `/fhir/R4/Binary/${done.binary}`, {
      headers: { accept: 'video/webm' },
    });
    expect(bytes.body.equals(Buffer.concat(acknowledged))).toBe(true);
    expect(acknowledged.length).toBe(next);
  }, 120_000);
});
