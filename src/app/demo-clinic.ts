import crypto from 'node:crypto';
import fs from 'node:fs';
import { isLaboratory, RELEASE_TAG } from '../access/index.js';
import { parseScopes, type RequestContext, type UserRole } from '../auth/index.js';
import { runTransaction, updateRecord } from '../records/index.js';
import {
  addDemoPeople,
  DEMO_EMAIL_DOMAIN,
  DEMO_STAFF_ROLES,
  type DemoSignIn,
} from './demo-people.js';
import type { Haven } from './open-haven.js';
import { DemoRefusedError } from './demo-files.js';

/**
 * `haven demo`: a clearly synthetic clinic from the Synthea R4 bundles (simulated people only),
 * so a new installation can be tried with every role at once. It seeds only an installation that
 * holds no person yet: a second run, or a run against a clinic in use, is refused and changes
 * nothing. Records are written through the ordinary record operations (validated, sealed,
 * audited) as the `haven-demo` integration.
 */

/** Patients the demo physician and nurse care for (the first ones imported). */
const CARED_FOR = 4;
/** Patients with a laboratory order, whom the lab assistant may see. */
const LAB_ORDERS = 3;

export interface DemoClinic {
  people: DemoSignIn[];
  /** Patient ids imported, in bundle order; `patientPerson` is the one the patient person is. */
  patients: string[];
  patientPerson: string;
  bundles: string[];
  /** Resources written: every bundle entry plus the demo's own (practitioners, teams, orders). */
  resources: number;
}

type Entry = {
  fullUrl: string;
  resource: Record<string, unknown> & { resourceType: string; id: string };
  request: { method: string; url: string };
};

const demoContext = (): RequestContext => ({
  principal: {
    kind: 'client',
    id: 'haven-demo',
    label: 'haven demo',
    roles: [],
    scopes: parseScopes('system/*.cruds'),
  },
  requestId: crypto.randomUUID(),
  ip: undefined,
  userAgent: 'haven demo',
});

export async function seedDemoClinic(haven: Haven, files: readonly string[]): Promise<DemoClinic> {
  const existing = await haven.people.users.list();
  if (existing.some((u) => u.email.endsWith(`@${DEMO_EMAIL_DOMAIN}`)))
    throw new DemoRefusedError(
      'this installation already holds the demo clinic; its sign-in details were shown once ' +
        '(use `haven user reset-password` and `haven user reset-mfa` to get in again)',
    );
  if (existing.length > 0)
    throw new DemoRefusedError(
      'this installation already has people: the demo seeds only a new, empty installation',
    );

  const bundles = files.map(readBundle);
  const patients = bundles.map((b) => patientOf(b).resource.id);
  // The patient person: the imported patient with the most laboratory results to show.
  const patientPerson = patients[mostResults(bundles)]!;
  const links = { physician: 'demo-physician', nurse: 'demo-nurse', patient: patientPerson };
  const addPeople = (roles: readonly UserRole[]) =>
    addDemoPeople(haven.people.users, roles, links, haven.clock);
  // The admin first: its unique address claims the installation against a parallel run.
  const people = await addPeople(['admin']);

  const ctx = demoContext();
  let resources = 0;
  const put = async (resource: Record<string, unknown> & { resourceType: string; id: string }) => {
    await updateRecord(haven.records, ctx, resource.resourceType, resource.id, resource, undefined);
    resources++;
  };
  await put(practitioner(links.physician, 'Physician'));
  await put(practitioner(links.nurse, 'Nurse'));
  people.push(...(await addPeople(DEMO_STAFF_ROLES)));
  for (const [i, bundle] of bundles.entries()) {
    const released = patients[i] === patientPerson;
    const result = await runTransaction(haven.records, ctx, prepareBundle(bundle, released));
    resources += result.entries.length;
  }
  people.push(...(await addPeople(['patient'])));
  for (const id of patients.slice(0, CARED_FOR)) await put(careTeam(id));
  for (const id of patients.slice(0, LAB_ORDERS)) await put(labOrder(id));
  const now = haven.clock().toISOString();
  await put(note(patientPerson, 'final', now));
  await put(note(patientPerson, 'preliminary', now));
  // Counts only: the sign-in details are the caller's to print, and never logged.
  haven.logger.info(
    { event: 'demo-seeded', patients: patients.length, records: resources, people: people.length },
    'seeded the synthetic demo clinic',
  );
  return { people, patients, patientPerson, bundles: [...files], resources };
}

function readBundle(file: string): { entry: Entry[] } {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { entry: Entry[] };
}

function patientOf(bundle: { entry: Entry[] }): Entry {
  const p = bundle.entry.find((e) => e.resource.resourceType === 'Patient');
  if (!p) throw new DemoRefusedError('a Synthea bundle without a Patient entry');
  return p;
}

function mostResults(bundles: { entry: Entry[] }[]): number {
  const counts = bundles.map(
    (b) => b.entry.filter((e) => e.resource.resourceType === 'DiagnosticReport').length,
  );
  return counts.indexOf(Math.max(...counts));
}

/**
 * The Patient keeps its Synthea id (a PUT), so the demo knows whom to link and relate before
 * the import; every reference to its urn:uuid becomes Patient/{id}. In the patient person's
 * bundle, final laboratory results are released to them, as a clinician would.
 */
function prepareBundle(bundle: { entry: Entry[] }, release: boolean): unknown {
  const patient = patientOf(bundle);
  const id = patient.resource.id;
  const text = JSON.stringify(bundle).replaceAll(`"${patient.fullUrl}"`, `"Patient/${id}"`);
  const copy = JSON.parse(text) as { entry: Entry[] };
  for (const e of copy.entry) {
    if (e.resource.resourceType === 'Patient') {
      e.request = { method: 'PUT', url: `Patient/${id}` };
      delete (e as { fullUrl?: string }).fullUrl;
    }
    const r = e.resource;
    const result = r.resourceType === 'Observation' || r.resourceType === 'DiagnosticReport';
    if (release && result && r.status === 'final' && isLaboratory(r)) {
      const meta = (r.meta ?? {}) as { tag?: unknown[] };
      r.meta = { ...meta, tag: [...(meta.tag ?? []), { ...RELEASE_TAG }] };
    }
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: copy.entry };
}

const SYNTHETIC_TAG = { system: 'urn:haven:demo', code: 'synthetic', display: 'Demo clinic' };

function practitioner(id: string, role: string) {
  return {
    resourceType: 'Practitioner',
    id,
    meta: { tag: [SYNTHETIC_TAG] },
    active: true,
    name: [{ family: `Demo ${role}`, given: ['Synthetic'], text: `Demo ${role} (synthetic)` }],
  };
}

function careTeam(patientId: string) {
  return {
    resourceType: 'CareTeam',
    id: `demo-team-${patientId}`.slice(0, 64),
    meta: { tag: [SYNTHETIC_TAG] },
    status: 'active',
    name: 'Demo clinic care team',
    subject: { reference: `Patient/${patientId}` },
    participant: [
      { member: { reference: 'Practitioner/demo-physician' } },
      { member: { reference: 'Practitioner/demo-nurse' } },
    ],
  };
}

function labOrder(patientId: string) {
  return {
    resourceType: 'ServiceRequest',
    id: `demo-lab-${patientId}`.slice(0, 64),
    meta: { tag: [SYNTHETIC_TAG] },
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007' }] }],
    code: {
      coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose [Mass/volume]' }],
    },
    subject: { reference: `Patient/${patientId}` },
    requester: { reference: 'Practitioner/demo-physician' },
  };
}

/** A signed, released progress note and a draft (ADR contract: clinical note shape). */
function note(patientId: string, docStatus: 'final' | 'preliminary', date: string) {
  const text =
    docStatus === 'final'
      ? 'Demo note (synthetic): seen for a routine check. Results reviewed and released.'
      : 'Demo draft (synthetic): follow-up plan to be written.';
  return {
    resourceType: 'DocumentReference',
    id: `demo-note-${docStatus}-${patientId}`.slice(0, 64),
    meta: { tag: docStatus === 'final' ? [SYNTHETIC_TAG, { ...RELEASE_TAG }] : [SYNTHETIC_TAG] },
    status: 'current',
    docStatus,
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    subject: { reference: `Patient/${patientId}` },
    author: [{ reference: 'Practitioner/demo-physician' }],
    ...(docStatus === 'final' && {
      authenticator: { reference: 'Practitioner/demo-physician' },
    }),
    date,
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          data: Buffer.from(text, 'utf8').toString('base64'),
          title: docStatus === 'final' ? 'Progress note' : 'Progress note (draft)',
        },
      },
    ],
  };
}
