import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { api, TestClock } from './auth/sign-in.js';
import {
  buildClinic,
  fhirAs,
  RELATIONS,
  ROLE_USERS,
  signInRole,
  typeOf,
  variantBody,
  VARIANTS,
  type Clinic,
  type Relation,
  type RoleUser,
  type Variant,
} from './access/clinic.js';

const INTERACTIONS = ['read', 'vread', 'history', 'search', 'create', 'update', 'delete'] as const;
type Interaction = (typeof INTERACTIONS)[number];

/**
 * What each role may do, restated from the access-control issue (not computed from the policy
 * table, so this test can disagree with it): clinicians their own patients' charts; the lab its
 * lab results for patients with a lab order; the front desk registration and booking for
 * anyone; a patient their own record, results and notes only once released; admins and
 * auditors no clinical record at all; nobody deletes.
 */
function expected(role: RoleUser, v: Variant, i: Interaction, rel: Relation): boolean {
  const reads = ['read', 'vread', 'history', 'search'].includes(i);
  switch (role) {
    case 'physician':
    case 'nurse':
      // A new Patient belongs to no one's care yet: registration is the front desk's.
      return rel === 'own' && i !== 'delete' && !(v === 'Patient' && i === 'create');
    case 'lab_assistant':
      return (
        rel === 'own' &&
        ((v === 'Observation:lab' && i !== 'delete') ||
          (v === 'ServiceRequest' && (i === 'read' || i === 'search')) ||
          (v === 'Patient' && (i === 'read' || i === 'search')))
      );
    case 'scheduler':
      return (
        (v === 'Patient' && ['read', 'vread', 'search', 'create', 'update'].includes(i)) ||
        ((v === 'Appointment' || v === 'CareTeam') && i !== 'delete')
      );
    case 'patient':
      return rel === 'own' && reads && !['Observation:vital', 'Binary:unreleased'].includes(v);
    case 'admin':
    case 'auditor':
      return false;
  }
}

/** Whether the role can ever do this on the type (else the refusal is 403, not 404). */
function typeAllowed(role: RoleUser, type: string, i: Interaction): boolean {
  return VARIANTS.some(
    (v) => typeOf(v) === type && RELATIONS.some((rel) => expected(role, v, i, rel)),
  );
}

const searchIds = (res: TestResponse) =>
  ((res.json() as { entry?: { resource: { id: string } }[] }).entry ?? []).map(
    (e) => e.resource.id,
  );

describe.each(ENGINES)('authorization matrix on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();
  const observed: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
  }, 120_000);
  afterAll(async () => t.stop());

  it.each(ROLE_USERS)(
    '%s: every interaction on every record of own, other and unrelated patients',
    async (role) => {
      const who = await signInRole(t, clock, clinic, role);
      const fromSeq = (await t.haven.auditRepo.head()).size;
      let refusals = 0;
      const mismatches: string[] = [];
      for (const rel of RELATIONS) {
        for (const v of VARIANTS) {
          const type = typeOf(v);
          const rec = clinic.records[rel][v];
          for (const i of INTERACTIONS) {
            const allow = expected(role, v, i, rel);
            const res = await perform(t, who, clinic, i, v, rel, rec);
            const ok = judge(res, i, allow, typeAllowed(role, type, i), rec.id);
            if (res.status === 403 || res.status === 404) refusals += 1;
            if (!ok)
              mismatches.push(
                `${i} ${v} (${rel}): got ${res.status}, expected ${allow ? 'allow' : 'deny'}`,
              );
            observed.push(`${role} ${v} ${i} ${rel} ${allow}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      // Every refusal left exactly one denial in the audit trail, by this person.
      const denials = (await t.haven.auditRepo.entries(fromSeq, 100_000)).filter(
        (r) => r.outcome === 'denied' && r.actor_id === who.user.userId,
      );
      expect(denials).toHaveLength(refusals);
      expect(refusals).toBeGreaterThan(0);
    },
    120_000,
  );

  it.each(ROLE_USERS)(
    '%s: the /api actions for own, other and unrelated patients',
    async (role) => {
      const who = await signInRole(t, clock, clinic, role);
      const mismatches: string[] = [];
      for (const rel of RELATIONS) {
        const patient = clinic.patients[rel];
        const calls = {
          disclosures: () =>
            api(t, 'GET', `/api/patients/${patient}/disclosures`, { jar: who.jar }),
          users: () => api(t, 'GET', '/api/admin/users', { jar: who.jar }),
          'break-glass': () =>
            api(t, 'POST', '/api/break-glass', {
              jar: who.jar,
              body: { patient, reason: 'Synthetic emergency for the access matrix' },
            }),
        } as const;
        for (const [action, call] of Object.entries(calls) as [
          keyof typeof calls,
          () => Promise<TestResponse>,
        ][]) {
          const res = await call();
          const allowed = res.status === 200 || res.status === 201;
          if (allowed !== expectedApi(role, action, rel) || (!allowed && res.status !== 403))
            mismatches.push(`${action} (${rel}): got ${res.status}`);
        }
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('reads the practitioner directory as the roles that need it', async () => {
    const readers: Record<RoleUser, boolean> = {
      admin: true,
      physician: true,
      nurse: true,
      scheduler: true,
      patient: true,
      lab_assistant: false,
      auditor: false,
    };
    for (const role of ROLE_USERS) {
      const who = await signInRole(t, clock, clinic, role);
      const res = await fhirAs(t, who, 'GET', `/fhir/R4/Practitioner/${clinic.practitioners.doc}`);
      expect([role, res.status]).toEqual([role, readers[role] ? 200 : 403]);
    }
  });
});

/** The /api actions of the role table, per role and relation, restated from the issue. */
function expectedApi(
  role: RoleUser,
  action: 'disclosures' | 'users' | 'break-glass',
  rel: Relation,
): boolean {
  switch (action) {
    case 'disclosures':
      return role === 'auditor' || (role === 'patient' && rel === 'own');
    case 'users':
      return role === 'admin';
    case 'break-glass':
      return role === 'physician' || role === 'nurse';
  }
}

async function perform(
  t: TestServer,
  who: Awaited<ReturnType<typeof signInRole>>,
  clinic: Clinic,
  i: Interaction,
  v: Variant,
  rel: Relation,
  rec: Record<string, unknown> & { id: string },
): Promise<TestResponse> {
  const type = typeOf(v);
  const path = `/fhir/R4/${type}/${rec.id}`;
  switch (i) {
    case 'read':
      return fhirAs(t, who, 'GET', path);
    case 'vread':
      return fhirAs(t, who, 'GET', `${path}/_history/1`);
    case 'history':
      return fhirAs(t, who, 'GET', `${path}/_history`);
    case 'search':
      return fhirAs(t, who, 'GET', `/fhir/R4/${type}?_id=${rec.id}`);
    case 'create':
      return fhirAs(
        t,
        who,
        'POST',
        `/fhir/R4/${type}`,
        v === 'Patient'
          ? { resourceType: 'Patient', name: [{ family: 'Testpatient-new' }], gender: 'unknown' }
          : unreleased(variantBody(v, clinic.patients[rel], rel, clinic.practitioners)),
      );
    case 'update': {
      // The record as it is stored (read with the integration token), sent back unchanged.
      const current = await t.request('GET', path, {
        headers: { accept: 'application/fhir+json' },
      });
      return fhirAs(t, who, 'PUT', path, current.json());
    }
    case 'delete':
      return fhirAs(t, who, 'DELETE', path);
  }
}

/** Creating an already-released result needs the release right, tested on its own elsewhere. */
function unreleased(body: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = body;
  return rest;
}

/** Whether a response is the expected allow or deny, with the right status for each. */
function judge(
  res: TestResponse,
  i: Interaction,
  allow: boolean,
  typeLevel: boolean,
  id: string,
): boolean {
  if (i === 'search') {
    if (!typeLevel) return res.status === 403;
    if (res.status !== 200) return false;
    const ids = searchIds(res);
    const total = (res.json() as { total?: number }).total;
    // Hidden records are neither listed nor counted.
    return allow ? ids.includes(id) && total === 1 : ids.length === 0 && total === 0;
  }
  if (allow)
    return (
      res.status === { create: 201, update: 200, delete: 405 }[i as 'create'] ||
      (['read', 'vread', 'history'].includes(i) && res.status === 200)
    );
  if (!typeLevel) return res.status === 403;
  return ['read', 'vread', 'history'].includes(i) ? res.status === 404 : res.status === 403;
}
