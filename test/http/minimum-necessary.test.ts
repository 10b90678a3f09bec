import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { createUser, signIn, TestClock } from './auth/sign-in.js';
import { fhirAs, type SignedIn } from './access/clinic.js';

type Json = Record<string, unknown> & { id: string };

/** Clinical free text and codes the front desk and the lab must never be shown. */
const CLINICAL = 'Synthetic clinical detail';
const reason = [{ text: `${CLINICAL} reason` }];
const note = [{ text: `${CLINICAL} note` }];

/** Elements withheld per role and type: each is present in the stored record. */
const WITHHELD: Record<string, Record<string, readonly string[]>> = {
  scheduler: {
    Appointment: [
      'reasonCode',
      'reasonReference',
      'comment',
      'patientInstruction',
      'description',
      'supportingInformation',
      'basedOn',
      'priority',
      'text',
      'extension',
    ],
    CareTeam: ['reasonCode', 'reasonReference', 'note', 'name', 'category', 'text'],
  },
  lab_assistant: {
    ServiceRequest: [
      'reasonCode',
      'reasonReference',
      'note',
      'patientInstruction',
      'supportingInfo',
      'relevantHistory',
      'text',
    ],
  },
};

/** Elements each role still needs: who, when, where, status, service type / what to test. */
const KEPT: Record<string, Record<string, readonly string[]>> = {
  scheduler: {
    Appointment: ['status', 'serviceType', 'start', 'end', 'participant'],
    CareTeam: ['status', 'subject', 'participant', 'period'],
  },
  lab_assistant: { ServiceRequest: ['status', 'intent', 'category', 'code', 'subject'] },
};

/**
 * Minimum necessary, field by field, through every read path (read, search, history,
 * $everything): the scheduler sees the schedule and the team, not the medicine; the lab sees
 * the order, not the clinical reasons behind it; a clinician on the care team sees it all.
 */
describe.each(ENGINES)('minimum necessary fields on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  const who: Record<string, SignedIn> = {};
  let patient: string;
  const records: Record<string, Json> = {};

  const create = async (body: Record<string, unknown>): Promise<Json> => {
    const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
    if (res.status !== 201) throw new Error(`fixture create failed: ${res.status} ${res.text}`);
    return res.json() as Json;
  };

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    const doc = await create({ resourceType: 'Practitioner', name: [{ family: 'Fieldsdoc' }] });
    patient = (await create({ resourceType: 'Patient', name: [{ family: 'Fieldspatient' }] })).id;
    const subject = { reference: `Patient/${patient}` };
    const other = await create({ resourceType: 'Condition', subject, code: { text: CLINICAL } });
    const narrative = { status: 'generated', div: `<div>${CLINICAL}</div>` };
    records.Appointment = await create({
      resourceType: 'Appointment',
      text: narrative,
      extension: [{ url: 'urn:example:ext', valueString: CLINICAL }],
      status: 'booked',
      serviceType: [{ text: 'Synthetic consultation' }],
      priority: 5,
      description: `${CLINICAL} description`,
      reasonCode: reason,
      reasonReference: [{ reference: `Condition/${other.id}` }],
      supportingInformation: [{ reference: `Condition/${other.id}` }],
      basedOn: [{ reference: 'ServiceRequest/synthetic' }],
      comment: `${CLINICAL} comment`,
      patientInstruction: `${CLINICAL} instruction`,
      start: '2031-05-07T09:00:00Z',
      end: '2031-05-07T09:20:00Z',
      participant: [
        { actor: subject, status: 'accepted' },
        { actor: { reference: `Practitioner/${doc.id}` }, status: 'accepted' },
      ],
    });
    records.CareTeam = await create({
      resourceType: 'CareTeam',
      text: narrative,
      status: 'active',
      name: `${CLINICAL} team`,
      category: [{ text: `${CLINICAL} category` }],
      subject,
      period: { start: '2031-01-01' },
      participant: [{ member: { reference: `Practitioner/${doc.id}` } }],
      reasonCode: reason,
      reasonReference: [{ reference: `Condition/${other.id}` }],
      note,
    });
    records.ServiceRequest = await create({
      resourceType: 'ServiceRequest',
      text: narrative,
      status: 'active',
      intent: 'order',
      subject,
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }],
      code: { text: 'Synthetic lab panel' },
      reasonCode: reason,
      reasonReference: [{ reference: `Condition/${other.id}` }],
      supportingInfo: [{ reference: `Condition/${other.id}` }],
      relevantHistory: [{ reference: 'Provenance/synthetic' }],
      note,
      patientInstruction: `${CLINICAL} instruction`,
    });
    for (const role of ['scheduler', 'lab_assistant', 'physician'] as const) {
      const user = await createUser(t, clock, {
        totp: true,
        roles: [role],
        ...(role === 'physician' && { practitionerId: doc.id }),
      });
      who[role] = { user, jar: await signIn(t, clock, user) };
    }
  }, 120_000);
  afterAll(async () => t.stop());

  /** The resource of `type` as `role` gets it from each read path. */
  const viewsOf = async (role: string, type: string): Promise<Record<string, Json>> => {
    const as = who[role]!;
    const id = records[type]!.id;
    const read = await fhirAs(t, as, 'GET', `/fhir/R4/${type}/${id}`);
    expect(read.status).toBe(200);
    const search = await fhirAs(t, as, 'GET', `/fhir/R4/${type}?_id=${id}`);
    const vread = await fhirAs(t, as, 'GET', `/fhir/R4/${type}/${id}/_history/1`);
    const history = await fhirAs(t, as, 'GET', `/fhir/R4/${type}/${id}/_history`);
    // The lab reads and searches its orders but has no history of them (policy table).
    const noHistory = role === 'lab_assistant';
    expect([vread.status, history.status]).toEqual(noHistory ? [403, 403] : [200, 200]);
    const everything = await fhirAs(t, as, 'GET', `/fhir/R4/Patient/${patient}/$everything`);
    const inBundle = (res: { status: number; json(): unknown }): Json => {
      expect(res.status).toBe(200);
      const entries = (res.json() as { entry?: { resource: Json }[] }).entry ?? [];
      const found = entries.find((e) => e.resource.resourceType === type && e.resource.id === id);
      expect(found).toBeDefined();
      return found!.resource;
    };
    return {
      read: read.json() as Json,
      search: inBundle(search),
      ...(!noHistory && { vread: vread.json() as Json, history: inBundle(history) }),
      $everything: inBundle(everything),
    };
  };

  for (const [role, types] of Object.entries(WITHHELD)) {
    for (const [type, withheld] of Object.entries(types)) {
      it(`${role} gets ${type} without ${withheld.join(', ')} on every read path`, async () => {
        const views = await viewsOf(role, type);
        for (const [path, resource] of Object.entries(views)) {
          const present = withheld.filter((k) => k in resource);
          expect({ path, present }).toEqual({ path, present: [] });
          for (const k of KEPT[role]![type]!)
            expect({ path, k, has: k in resource }).toEqual({ path, k, has: true });
          expect(JSON.stringify(resource)).not.toContain(CLINICAL);
          expect((resource.meta as { security?: { code?: string }[] }).security).toEqual(
            expect.arrayContaining([expect.objectContaining({ code: 'REDACTED' })]),
          );
        }
        // The check can fail: the same elements are stored and a clinician sees them.
        const full = await viewsOf('physician', type);
        for (const resource of Object.values(full))
          for (const k of withheld) expect({ k, has: k in resource }).toEqual({ k, has: true });
      });
    }
  }

  it('the scheduler may not search by or set a withheld element, and keeps it on update', async () => {
    const desk = who.scheduler!;
    const byReason = await fhirAs(t, desk, 'GET', `/fhir/R4/CareTeam?category=x`);
    expect(byReason.status).toBe(403);
    const shown = (
      await fhirAs(t, desk, 'GET', `/fhir/R4/Appointment/${records.Appointment!.id}`)
    ).json() as Json;
    const withReason = { ...shown, reasonCode: [{ text: 'Synthetic new reason' }] };
    const refused = await fhirAs(t, desk, 'PUT', `/fhir/R4/Appointment/${shown.id}`, withReason);
    expect(refused.status).toBe(403);
    const moved = await fhirAs(t, desk, 'PUT', `/fhir/R4/Appointment/${shown.id}`, {
      ...shown,
      start: '2031-05-08T09:00:00Z',
      end: '2031-05-08T09:20:00Z',
    });
    expect(moved.status).toBe(200);
    const stored = (await t.request('GET', `/fhir/R4/Appointment/${shown.id}`)).json() as Json;
    expect(stored).toMatchObject({
      start: '2031-05-08T09:00:00Z',
      reasonCode: reason,
    });
    expect(stored.comment).toBe(`${CLINICAL} comment`);
  });
});
