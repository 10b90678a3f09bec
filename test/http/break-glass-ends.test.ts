import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantView } from '../../src/access/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, MINUTE, signIn, TestClock } from './auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  signInRole,
  VARIANTS,
  typeOf,
  type Clinic,
  type SignedIn,
} from './access/clinic.js';

type Json = Record<string, unknown> & { id: string };
const REASON = 'Synthetic emergency: test reason';
const LAB = [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }];
const IMAGING = [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005' }] }];

/**
 * Break-glass must end (issue 13, item 1; ADR 0013). Under an emergency grant a physician may
 * write clinically, but no write of theirs may create a care relation — for themselves or for
 * anyone — so when the grant ends, so does their access, whatever they wrote during it.
 */
describe.each(ENGINES)('break-glass ends on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
  }, 120_000);
  afterAll(async () => t.stop());

  const none = () => clinic.patients.none;
  const subject = () => ({ reference: `Patient/${none()}` });
  const ref = (p: string) => ({ reference: `Practitioner/${p}` });
  const stored = async (type: string, id: string) =>
    (await t.request('GET', `/fhir/R4/${type}/${id}`)).json() as Json;
  const grantFor = async (who: SignedIn): Promise<GrantView> => {
    const res = await api(t, 'POST', '/api/break-glass', {
      body: { patient: none(), reason: REASON },
      jar: who.jar,
    });
    expect(res.status).toBe(201);
    return (res.json() as unknown as { grant: GrantView }).grant;
  };
  /** Moves past the grant's expiry in steps short of the idle logoff, sessions kept alive. */
  const outlive = async (grant: GrantView, ...whos: SignedIn[]) => {
    while (clock.now.getTime() <= Date.parse(grant.expiresAt)) {
      clock.advance(10 * MINUTE);
      for (const who of whos) await api(t, 'GET', '/api/break-glass', { jar: who.jar });
    }
  };
  const careTeam = (...members: string[]) => ({
    resourceType: 'CareTeam',
    status: 'active',
    subject: subject(),
    participant: members.map((m) => ({ member: ref(m) })),
  });
  const appointment = (...actors: string[]) => ({
    resourceType: 'Appointment',
    status: 'booked',
    start: '2031-06-01T09:00:00Z',
    end: '2031-06-01T09:20:00Z',
    participant: [
      { actor: subject(), status: 'accepted' },
      ...actors.map((a) => ({ actor: ref(a), status: 'accepted' })),
    ],
  });
  const serviceRequest = (category: unknown, requester: string) => ({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    subject: subject(),
    category,
    code: { text: 'Synthetic order' },
    requester: ref(requester),
    performer: [ref(requester)],
  });
  const transaction = (...resources: Record<string, unknown>[]) => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      request: { method: 'POST', url: String(resource.resourceType) },
      resource,
    })),
  });

  /** Every write a physician might try under the grant to stay in the record. */
  const attempts = (doc: string, colleague: string, team: Json, booked: Json) =>
    [
      ['create a CareTeam naming themselves', 'POST', '/fhir/R4/CareTeam', careTeam(doc)],
      [
        'add themselves to the patient’s CareTeam',
        'PUT',
        `/fhir/R4/CareTeam/${team.id}`,
        { ...team, participant: [...(team.participant as unknown[]), { member: ref(doc) }] },
      ],
      [
        'update-as-create a CareTeam naming themselves',
        'PUT',
        '/fhir/R4/CareTeam/bg-synthetic-team',
        { ...careTeam(doc), id: 'bg-synthetic-team' },
      ],
      ['book an Appointment with themselves', 'POST', '/fhir/R4/Appointment', appointment(doc)],
      [
        'add themselves to the patient’s Appointment',
        'PUT',
        `/fhir/R4/Appointment/${booked.id}`,
        {
          ...booked,
          participant: [
            ...(booked.participant as unknown[]),
            { actor: ref(doc), status: 'accepted' },
          ],
        },
      ],
      [
        'order labs (a lab-order relation)',
        'POST',
        '/fhir/R4/ServiceRequest',
        serviceRequest(LAB, doc),
      ],
      [
        'a transaction with a CareTeam and an Appointment naming themselves',
        'POST',
        '/fhir/R4',
        transaction(careTeam(doc), appointment(doc)),
      ],
      [
        'a transaction naming a colleague (who could name them back)',
        'POST',
        '/fhir/R4',
        transaction(careTeam(colleague)),
      ],
    ] as const;

  it('refuses, under the grant, every write that would create a care relation, and allows the rest', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    await grantFor(doc);
    const team = await stored('CareTeam', clinic.records.none.CareTeam.id);
    const booked = await stored('Appointment', clinic.records.none.Appointment.id);
    const before = await t.haven.records.resources.countLive();
    const seq = (await t.haven.auditRepo.head()).size;
    for (const [what, method, path, body] of attempts(
      clinic.practitioners.doc,
      clinic.practitioners.otherDoc,
      team,
      booked,
    )) {
      const res = await fhirAs(t, doc, method, path, body);
      expect({ what, status: res.status }).toEqual({ what, status: 403 });
    }
    expect(await t.haven.records.resources.countLive()).toBe(before);
    const denied = (await t.haven.auditRepo.entries(seq, 1000)).filter(
      (r) => r.outcome === 'denied' && r.detail?.includes('relation-under-break-glass'),
    );
    expect(denied.length).toBeGreaterThanOrEqual(8);

    // Parallel attempts on one CareTeam: each is refused, none slips through.
    const parallel = await Promise.all(
      Array.from({ length: 8 }, () =>
        fhirAs(t, doc, 'PUT', `/fhir/R4/CareTeam/${team.id}`, {
          ...team,
          participant: [{ member: ref(clinic.practitioners.doc) }],
        }),
      ),
    );
    expect(parallel.map((r) => r.status)).toEqual(Array(8).fill(403));

    // Clinical writes stay possible: a condition, an imaging order naming them (no relation),
    // and updates that keep or remove relations.
    const condition = await fhirAs(t, doc, 'POST', '/fhir/R4/Condition', {
      resourceType: 'Condition',
      subject: subject(),
      code: { text: 'Synthetic emergency finding' },
    });
    expect(condition.status).toBe(201);
    const imaging = await fhirAs(
      t,
      doc,
      'POST',
      '/fhir/R4/ServiceRequest',
      serviceRequest(IMAGING, clinic.practitioners.doc),
    );
    expect(imaging.status).toBe(201);
    const noted = await fhirAs(t, doc, 'PUT', `/fhir/R4/Appointment/${booked.id}`, {
      ...booked,
      comment: 'Synthetic emergency comment',
    });
    expect(noted.status).toBe(200);
  });

  it('keeps relations someone entitled made when an emergency writer updates their source', async () => {
    // The integration (client scope) puts Nurse Testnurse on a new team for the patient.
    const made = await t.request('POST', '/fhir/R4/CareTeam', {
      body: careTeam(clinic.practitioners.nurse),
    });
    expect(made.status).toBe(201);
    const team = made.json() as Json;
    const nurse = await signInRole(t, clock, clinic, 'nurse');
    const doc = await signInRole(t, clock, clinic, 'physician');
    const grant = await grantFor(doc);
    const kept = await fhirAs(t, doc, 'PUT', `/fhir/R4/CareTeam/${team.id}`, {
      ...team,
      note: [{ text: 'Synthetic emergency note' }],
    });
    expect(kept.status).toBe(200);
    expect((await fhirAs(t, nurse, 'GET', `/fhir/R4/CareTeam/${team.id}`)).status).toBe(200);
    await outlive(grant, doc, nurse);
    expect((await fhirAs(t, nurse, 'GET', `/fhir/R4/CareTeam/${team.id}`)).status).toBe(200);
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/CareTeam/${team.id}`)).status).toBe(404);
  });

  it('answers not-found for everything of the patient once the grant ends, whatever was written under it', async () => {
    const doc = await signInRole(t, clock, clinic, 'physician');
    const colleagueUser = await createUser(t, clock, {
      totp: true,
      roles: ['physician'],
      practitionerId: clinic.practitioners.otherDoc,
    });
    const colleague = { user: colleagueUser, jar: await signIn(t, clock, colleagueUser) };
    const grant = await grantFor(doc);
    const team = await stored('CareTeam', clinic.records.none.CareTeam.id);
    const booked = await stored('Appointment', clinic.records.none.Appointment.id);
    // Try everything; whatever was accepted (the statuses are the previous test's business)
    // must not outlive the grant.
    const written: { type: string; id: string }[] = [];
    for (const [, method, path, body] of attempts(
      clinic.practitioners.doc,
      clinic.practitioners.otherDoc,
      team,
      booked,
    )) {
      const res = await fhirAs(t, doc, method, path, body);
      if (res.status >= 300) continue;
      const json = res.json() as Json & { entry?: { response: { location: string } }[] };
      if (json.resourceType === 'Bundle')
        for (const e of json.entry ?? []) {
          const [type, id] = e.response.location.split('/').slice(-4);
          written.push({ type: type!, id: id! });
        }
      else written.push({ type: json.resourceType as string, id: json.id });
    }
    const condition = await fhirAs(t, doc, 'POST', '/fhir/R4/Condition', {
      resourceType: 'Condition',
      subject: subject(),
      code: { text: 'Synthetic emergency finding' },
    });
    written.push({ type: 'Condition', id: (condition.json() as Json).id });
    const all = [
      ...VARIANTS.map((v) => ({ type: typeOf(v), id: clinic.records.none[v].id })),
      ...written,
    ];
    expect((await fhirAs(t, doc, 'GET', `/fhir/R4/Condition/${written.at(-1)!.id}`)).status).toBe(
      200,
    );

    await outlive(grant, doc, colleague);
    for (const who of [doc, colleague]) {
      for (const { type, id } of all) {
        for (const path of [
          `${type}/${id}`,
          `${type}/${id}/_history`,
          `${type}/${id}/_history/1`,
        ]) {
          const res = await fhirAs(t, who, 'GET', `/fhir/R4/${path}`);
          expect({ path, status: res.status }).toEqual({ path, status: 404 });
        }
        const search = await fhirAs(t, who, 'GET', `/fhir/R4/${type}?_id=${id}`);
        expect({ type, total: (search.json() as { total?: number }).total }).toEqual({
          type,
          total: 0,
        });
      }
      for (const type of ['CareTeam', 'Appointment', 'ServiceRequest', 'Condition']) {
        const byPatient = await fhirAs(t, who, 'GET', `/fhir/R4/${type}?patient=Patient/${none()}`);
        expect({ type, total: (byPatient.json() as { total?: number }).total }).toEqual({
          type,
          total: 0,
        });
      }
      const everything = await fhirAs(t, who, 'GET', `/fhir/R4/Patient/${none()}/$everything`);
      expect(everything.status).toBe(404);
    }
  });
});
