import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_TAG } from '../../src/access/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { TestClock } from './auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  signInRole,
  variantBody,
  type Clinic,
  type SignedIn,
} from './access/clinic.js';

type Json = Record<string, unknown> & {
  id?: string;
  meta?: { tag?: unknown[]; security?: unknown[] };
};

/**
 * Access to records beyond the matrix: ids copied from another patient (IDOR), minimum
 * necessary fields, release to patients, the lab's content rule, and relations that end.
 */
describe.each(ENGINES)('record access on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();
  let doc: SignedIn;
  let nurse: SignedIn;
  let lab: SignedIn;
  let desk: SignedIn;
  let patient: SignedIn;

  const asClient = async (method: string, path: string, body?: unknown) =>
    t.request(method, path, {
      headers: { accept: 'application/fhir+json' },
      ...(body !== undefined && { body }),
    });
  const stored = async (type: string, id: string) =>
    (await asClient('GET', `/fhir/R4/${type}/${id}`)).json() as Json;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
    doc = await signInRole(t, clock, clinic, 'physician');
    nurse = await signInRole(t, clock, clinic, 'nurse');
    lab = await signInRole(t, clock, clinic, 'lab_assistant');
    desk = await signInRole(t, clock, clinic, 'scheduler');
    patient = await signInRole(t, clock, clinic, 'patient');
  }, 120_000);
  afterAll(async () => t.stop());

  describe('ids guessed or copied from another patient', () => {
    it('answers a hidden record exactly like a missing one', async () => {
      const hidden = clinic.records.other.Condition.id;
      const a = await fhirAs(t, doc, 'GET', `/fhir/R4/Condition/${hidden}`);
      const b = await fhirAs(t, doc, 'GET', '/fhir/R4/Condition/no-such-condition');
      expect([a.status, b.status]).toEqual([404, 404]);
      expect(a.json().issue).toEqual(b.json().issue);
    });

    it('will not move an own record to another patient, or write into one', async () => {
      const own = await stored('Observation', clinic.records.own['Observation:vital'].id);
      const moved = await fhirAs(t, doc, 'PUT', `/fhir/R4/Observation/${own.id}`, {
        ...own,
        subject: { reference: `Patient/${clinic.patients.other}` },
      });
      expect(moved.status).toBe(403);
      expect((await stored('Observation', own.id!)).subject).toEqual({
        reference: `Patient/${clinic.patients.own}`,
      });
      // An attachment is the patient's its securityContext names.
      const binary = await fhirAs(t, doc, 'POST', '/fhir/R4/Binary', {
        resourceType: 'Binary',
        contentType: 'text/plain',
        securityContext: { reference: `Patient/${clinic.patients.other}` },
        data: Buffer.from('synthetic').toString('base64'),
      });
      expect(binary.status).toBe(403);
      // ...and a Binary whose securityContext is another patient's document.
      const viaDoc = await fhirAs(t, doc, 'POST', '/fhir/R4/Binary', {
        resourceType: 'Binary',
        contentType: 'text/plain',
        securityContext: {
          reference: `DocumentReference/${clinic.records.other.DocumentReference.id}`,
        },
        data: Buffer.from('synthetic').toString('base64'),
      });
      expect(viaDoc.status).toBe(403);
    });

    it('refuses a whole transaction when one entry reaches another patient', async () => {
      const before = await t.haven.records.resources.countLive();
      const res = await fhirAs(t, doc, 'POST', '/fhir/R4', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            request: { method: 'POST', url: 'Condition' },
            resource: variantBody('Condition', clinic.patients.own, 'own', clinic.practitioners),
          },
          {
            request: { method: 'POST', url: 'Condition' },
            resource: variantBody(
              'Condition',
              clinic.patients.other,
              'other',
              clinic.practitioners,
            ),
          },
        ],
      });
      expect(res.status).toBe(403);
      expect(await t.haven.records.resources.countLive()).toBe(before);
    });

    it('does not let $everything, searches by patient, or paging reveal another patient', async () => {
      const other = await fhirAs(
        t,
        doc,
        'GET',
        `/fhir/R4/Patient/${clinic.patients.other}/$everything`,
      );
      expect(other.status).toBe(404);
      const byPatient = await fhirAs(
        t,
        doc,
        'GET',
        `/fhir/R4/Observation?patient=Patient/${clinic.patients.other}`,
      );
      expect(byPatient.status).toBe(200);
      expect(byPatient.json()).toMatchObject({ total: 0 });
      // All Observations: only the own patient's two, counted and paged as two.
      const all = await fhirAs(t, doc, 'GET', '/fhir/R4/Observation?_count=1');
      const bundle = all.json() as {
        total: number;
        entry: { resource: Json }[];
        link: { relation: string; url: string }[];
      };
      expect(bundle.total).toBe(2);
      const next = bundle.link.find((l) => l.relation === 'next')!;
      const page2 = (
        await fhirAs(t, doc, 'GET', new URL(next.url).pathname + new URL(next.url).search)
      ).json() as typeof bundle;
      expect(page2.link.some((l) => l.relation === 'next')).toBe(false);
      const subjects = [...bundle.entry, ...page2.entry].map(
        (e) => (e.resource.subject as { reference: string }).reference,
      );
      expect(new Set(subjects)).toEqual(new Set([`Patient/${clinic.patients.own}`]));
    });
  });

  describe('minimum necessary', () => {
    let full: string;
    beforeAll(async () => {
      const res = await asClient('POST', '/fhir/R4/Patient', {
        resourceType: 'Patient',
        name: [{ family: 'Testpatient-fields' }],
        telecom: [{ system: 'email', value: 'fields@patient.example' }],
        maritalStatus: { text: 'Synthetic status' },
        extension: [{ url: 'http://example.org/fhir/synthetic', valueString: 'synthetic' }],
      });
      full = String(res.json().id);
    });

    it('shows the front desk name and contact, withholds the rest and says so', async () => {
      const seen = (await fhirAs(t, desk, 'GET', `/fhir/R4/Patient/${full}`)).json() as Json;
      expect(seen.name).toBeDefined();
      expect(seen.telecom).toBeDefined();
      expect(seen.maritalStatus).toBeUndefined();
      expect(seen.extension).toBeUndefined();
      expect(seen.meta?.security).toContainEqual(expect.objectContaining({ code: 'REDACTED' }));
      const found = (await fhirAs(t, desk, 'GET', `/fhir/R4/Patient?_id=${full}`)).json() as {
        entry: { resource: Json }[];
      };
      expect(found.entry[0]!.resource.maritalStatus).toBeUndefined();
    });

    it('keeps withheld elements through a front-desk update, and refuses setting them', async () => {
      const seen = (await fhirAs(t, desk, 'GET', `/fhir/R4/Patient/${full}`)).json() as Json;
      const updated = await fhirAs(t, desk, 'PUT', `/fhir/R4/Patient/${full}`, {
        ...seen,
        telecom: [{ system: 'phone', value: '555-0199' }],
      });
      expect(updated.status).toBe(200);
      expect((updated.json() as Json).maritalStatus).toBeUndefined();
      const after = await stored('Patient', full);
      expect(after.telecom).toEqual([{ system: 'phone', value: '555-0199' }]);
      expect(after.maritalStatus).toEqual({ text: 'Synthetic status' });
      expect(after.extension).toHaveLength(1);
      expect(after.meta?.security).toBeUndefined();
      const sneaky = await fhirAs(t, desk, 'PUT', `/fhir/R4/Patient/${full}`, {
        ...seen,
        maritalStatus: { text: 'Changed' },
      });
      expect(sneaky.status).toBe(403);
    });

    it('refuses searching or sorting by a withheld element', async () => {
      // The lab sees who a patient is, not how to reach them: a phone search would reveal it.
      const byPhone = await fhirAs(t, lab, 'GET', '/fhir/R4/Patient?phone=555-0100');
      expect(byPhone.status).toBe(403);
      expect((await fhirAs(t, lab, 'GET', '/fhir/R4/Patient?_sort=email')).status).toBe(403);
      expect((await fhirAs(t, lab, 'GET', '/fhir/R4/Patient?family=Testpatient')).status).toBe(200);
    });

    it('shows the lab only who the patient is', async () => {
      const seen = (
        await fhirAs(t, lab, 'GET', `/fhir/R4/Patient/${clinic.patients.own}`)
      ).json() as Json;
      expect(Object.keys(seen).sort()).toEqual([
        'birthDate',
        'gender',
        'id',
        'meta',
        'name',
        'resourceType',
      ]);
    });
  });

  describe('release to the patient', () => {
    const tag = { system: RELEASE_TAG.system, code: RELEASE_TAG.code };

    it('shows a result to the patient only once a physician releases it', async () => {
      const created = await fhirAs(
        t,
        nurse,
        'POST',
        '/fhir/R4/Observation',
        variantBody('Observation:vital', clinic.patients.own, 'own', clinic.practitioners),
      );
      expect(created.status).toBe(201);
      const id = String(created.json().id);
      expect((await fhirAs(t, patient, 'GET', `/fhir/R4/Observation/${id}`)).status).toBe(404);
      const current = await stored('Observation', id);
      // A nurse may not release it...
      const byNurse = await fhirAs(t, nurse, 'PUT', `/fhir/R4/Observation/${id}`, {
        ...current,
        meta: { tag: [tag] },
      });
      expect(byNurse.status).toBe(403);
      // ...a physician may.
      const byDoc = await fhirAs(t, doc, 'PUT', `/fhir/R4/Observation/${id}`, {
        ...current,
        meta: { tag: [tag] },
      });
      expect(byDoc.status).toBe(200);
      expect((await fhirAs(t, patient, 'GET', `/fhir/R4/Observation/${id}`)).status).toBe(200);
      // The unreleased first version stays hidden from the patient's history.
      const history = (
        await fhirAs(t, patient, 'GET', `/fhir/R4/Observation/${id}/_history`)
      ).json() as {
        entry: { resource: Json }[];
      };
      expect(history.entry.map((e) => e.resource.meta?.tag)).toEqual([[tag]]);
      expect(
        (await fhirAs(t, patient, 'GET', `/fhir/R4/Observation/${id}/_history/1`)).status,
      ).toBe(404);
      // A nurse may edit a released result but not withdraw it.
      const released = await stored('Observation', id);
      const edit = await fhirAs(t, nurse, 'PUT', `/fhir/R4/Observation/${id}`, {
        ...released,
        valueQuantity: { value: 66, unit: '/min' },
      });
      expect(edit.status).toBe(200);
      const withdraw = await fhirAs(t, nurse, 'PUT', `/fhir/R4/Observation/${id}`, {
        ...(await stored('Observation', id)),
        meta: {},
      });
      expect(withdraw.status).toBe(403);
    });

    it('leaves unreleased results out of the patient’s own export and searches', async () => {
      const everything = (
        await fhirAs(t, patient, 'GET', `/fhir/R4/Patient/${clinic.patients.own}/$everything`)
      ).json() as {
        entry: { resource: Json }[];
      };
      const ids = everything.entry.map((e) => e.resource.id);
      expect(ids).toContain(clinic.records.own['Observation:lab'].id);
      expect(ids).toContain(clinic.records.own.Condition.id);
      expect(ids).not.toContain(clinic.records.own['Observation:vital'].id);
      expect(ids).not.toContain(clinic.records.own['Binary:unreleased'].id);
      const search = (await fhirAs(t, patient, 'GET', '/fhir/R4/Observation')).json() as {
        total: number;
        entry: { resource: Json }[];
      };
      expect(search.entry.every((e) => (e.resource.meta?.tag ?? []).length > 0)).toBe(true);
      expect(search.total).toBe(search.entry.length);
    });
  });

  describe('the lab works on lab results only', () => {
    it('refuses a non-laboratory Observation, and turning a lab result into one', async () => {
      const vital = await fhirAs(
        t,
        lab,
        'POST',
        '/fhir/R4/Observation',
        variantBody('Observation:vital', clinic.patients.own, 'own', clinic.practitioners),
      );
      expect(vital.status).toBe(403);
      const { meta: _m, ...labBody } = variantBody(
        'Observation:lab',
        clinic.patients.own,
        'own',
        clinic.practitioners,
      );
      const created = await fhirAs(t, lab, 'POST', '/fhir/R4/Observation', labBody);
      expect(created.status).toBe(201);
      const current = await stored('Observation', String(created.json().id));
      const recategorized = await fhirAs(t, lab, 'PUT', `/fhir/R4/Observation/${current.id}`, {
        ...current,
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: 'vital-signs',
              },
            ],
          },
        ],
      });
      expect(recategorized.status).toBe(403);
      const corrected = await fhirAs(t, lab, 'PUT', `/fhir/R4/Observation/${current.id}`, {
        ...current,
        valueQuantity: { value: 97, unit: 'mg/dL' },
      });
      expect(corrected.status).toBe(200);
    });
  });

  describe('relations end with their source', () => {
    it('takes a clinician’s access away when the appointment is cancelled or the team ends', async () => {
      const condition = `/fhir/R4/Condition/${clinic.records.own.Condition.id}`;
      expect((await fhirAs(t, nurse, 'GET', condition)).status).toBe(200);
      const appt = await stored('Appointment', clinic.records.own.Appointment.id);
      expect(
        (await asClient('PUT', `/fhir/R4/Appointment/${appt.id}`, { ...appt, status: 'cancelled' }))
          .status,
      ).toBe(200);
      expect((await fhirAs(t, nurse, 'GET', condition)).status).toBe(404);
      expect(
        (
          await asClient('PUT', `/fhir/R4/Appointment/${appt.id}`, {
            ...(await stored('Appointment', appt.id!)),
            status: 'booked',
          })
        ).status,
      ).toBe(200);
      expect((await fhirAs(t, nurse, 'GET', condition)).status).toBe(200);

      const team = await stored('CareTeam', clinic.records.own.CareTeam.id);
      expect(
        (await asClient('PUT', `/fhir/R4/CareTeam/${team.id}`, { ...team, status: 'inactive' }))
          .status,
      ).toBe(200);
      expect((await fhirAs(t, doc, 'GET', condition)).status).toBe(404);
      expect(
        (
          await asClient('PUT', `/fhir/R4/CareTeam/${team.id}`, {
            ...(await stored('CareTeam', team.id!)),
            status: 'active',
          })
        ).status,
      ).toBe(200);
      expect((await fhirAs(t, doc, 'GET', condition)).status).toBe(200);
    });
  });
});
