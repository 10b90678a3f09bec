import { Client, type FhirResource } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

/**
 * Interop proof: an independent, widely used FHIR client library (fhir-kit-client) talks to
 * Haven over real HTTPS and does the everyday interactions with nothing Haven-specific.
 *
 * TLS: fhir-kit-client v2 sends requests with Node's built-in fetch (undici), which ignores
 * `agent` (an https.Agent({ ca }) in requestOptions has no effect: the handshake fails with
 * DEPTH_ZERO_SELF_SIGNED_CERT). What fetch honours is a per-request undici `dispatcher`, and
 * fhir-kit-client forwards requestOptions into the Request it builds. So each client gets its own
 * undici Agent that trusts only the development certificate: verification stays on and nothing
 * global (NODE_TLS_REJECT_UNAUTHORIZED, the global dispatcher) is changed.
 */

interface Dispatcher {
  close(): Promise<void>;
}

/**
 * Node 20 bundles undici but does not export its Agent class; the undici package is not a
 * dependency. Node's fetch registers its default Agent under this well-known symbol, so the
 * same class is reachable through it. Fail loudly if that ever changes.
 */
async function undiciAgentTrusting(ca: string): Promise<Dispatcher> {
  await fetch('data:,').catch(() => undefined); // make sure Node's fetch (and its dispatcher) is initialised
  const global = (globalThis as Record<symbol, unknown>)[
    Symbol.for('undici.globalDispatcher.1')
  ] as { constructor: new (opts: { connect: { ca: string } }) => Dispatcher } | undefined;
  if (!global || global.constructor.name !== 'Agent')
    throw new Error('cannot reach the undici Agent class of Node fetch');
  return new global.constructor({ connect: { ca } });
}

interface PatientResource extends FhirResource {
  id: string;
  meta: { versionId: string; lastUpdated: string };
  name: { family: string; given: string[] }[];
  identifier: { system: string; value: string }[];
  gender?: string;
  birthDate?: string;
}

interface BundleResource extends FhirResource {
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: { fullUrl?: string; resource: PatientResource }[];
}

const MRN_SYSTEM = 'urn:example:interop-mrn';

function syntheticPatient(
  n: number,
): FhirResource & Pick<PatientResource, 'identifier' | 'name' | 'gender' | 'birthDate'> {
  return {
    resourceType: 'Patient',
    identifier: [{ system: MRN_SYSTEM, value: `INTEROP-${n}` }],
    name: [{ family: `Interopson${n}`, given: ['Testy'] }],
    gender: 'other',
    birthDate: '1970-01-01',
  };
}

function statusOf(e: unknown): number | undefined {
  return (e as { response?: { status?: number } }).response?.status;
}

describe.each(ENGINES)('fhir-kit-client against Haven on %s', (engine) => {
  let t: TestServer;
  let dispatcher: Dispatcher;
  let client: Client;
  let created: PatientResource;

  beforeAll(async () => {
    t = await startTestServer(engine);
    dispatcher = await undiciAgentTrusting(t.ca);
    client = new Client({
      baseUrl: `${t.server.url}/fhir/R4`,
      bearerToken: t.token,
      requestOptions: { dispatcher },
    });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await t?.stop();
  });

  it('creates a Patient and gets it back with a server id, version 1, Location and ETag', async () => {
    const res = await client.create({ resourceType: 'Patient', body: syntheticPatient(1) });
    created = res as PatientResource;
    expect(created.resourceType).toBe('Patient');
    expect(created.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(created.meta.versionId).toBe('1');
    expect(created.name[0]!.family).toBe('Interopson1');
    const { response } = Client.httpFor(res);
    expect(response?.status).toBe(201);
    expect(response?.headers.get('location')).toMatch(
      new RegExp(`/fhir/R4/Patient/${created.id}/_history/1$`),
    );
    expect(response?.headers.get('etag')).toBe('W/"1"');
  });

  it('reads it back', async () => {
    const read = (await client.read({
      resourceType: 'Patient',
      id: created.id,
    })) as PatientResource;
    expect(read).toMatchObject({
      resourceType: 'Patient',
      id: created.id,
      birthDate: '1970-01-01',
      meta: { versionId: '1' },
    });
    expect(read.identifier).toEqual([{ system: MRN_SYSTEM, value: 'INTEROP-1' }]);
  });

  it('updates it (with If-Match) and reads version 2', async () => {
    const body = {
      ...created,
      gender: 'unknown',
      name: [{ family: 'Interopson1', given: ['Testy', 'Updated'] }],
    };
    const updated = (await client.update({
      resourceType: 'Patient',
      id: created.id,
      body,
      options: { headers: { 'if-match': 'W/"1"' } },
    })) as PatientResource;
    expect(updated.meta.versionId).toBe('2');
    expect(Client.httpFor(updated).response?.status).toBe(200);
    const read = (await client.read({
      resourceType: 'Patient',
      id: created.id,
    })) as PatientResource;
    expect(read.meta.versionId).toBe('2');
    expect(read.gender).toBe('unknown');
    expect(read.name[0]!.given).toEqual(['Testy', 'Updated']);
  });

  it('surfaces a stale If-Match as HTTP 412 and a missing record as 404', async () => {
    const stale = client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...created, gender: 'female' },
      options: { headers: { 'if-match': 'W/"1"' } },
    });
    await expect(stale).rejects.toThrow(/HTTP 412/);
    expect(statusOf(await stale.catch((e: unknown) => e))).toBe(412);
    const missing = await client
      .read({ resourceType: 'Patient', id: 'no-such-interop-patient' })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(404);
    expect((missing as { response: { data: FhirResource } }).response.data.resourceType).toBe(
      'OperationOutcome',
    );
  });

  it('searches by identifier (system|value and value only) and by family name', async () => {
    await client.create({ resourceType: 'Patient', body: syntheticPatient(2) });
    await client.create({
      resourceType: 'Patient',
      body: { ...syntheticPatient(3), name: [{ family: 'Otherdottir', given: ['Testy'] }] },
    });

    const byIdentifier = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `${MRN_SYSTEM}|INTEROP-1` },
    })) as BundleResource;
    expect(byIdentifier.resourceType).toBe('Bundle');
    expect(byIdentifier.type).toBe('searchset');
    expect(byIdentifier.total).toBe(1);
    expect(byIdentifier.entry!.map((e) => e.resource.id)).toEqual([created.id]);

    const byValue = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: 'INTEROP-2' },
    })) as BundleResource;
    expect(byValue.total).toBe(1);
    expect(byValue.entry![0]!.resource.identifier[0]!.value).toBe('INTEROP-2');

    const byFamily = (await client.search({
      resourceType: 'Patient',
      searchParams: { family: 'interopson' },
    })) as BundleResource;
    expect(byFamily.total).toBe(2);
    expect(byFamily.entry!.map((e) => e.resource.name[0]!.family).sort()).toEqual([
      'Interopson1',
      'Interopson2',
    ]);

    const byExactFamily = (await client.search({
      resourceType: 'Patient',
      searchParams: { 'family:exact': 'Interopson2' },
    })) as BundleResource;
    expect(byExactFamily.total).toBe(1);

    const none = (await client.search({
      resourceType: 'Patient',
      searchParams: { identifier: `${MRN_SYSTEM}|INTEROP-404` },
    })) as BundleResource;
    expect(none.total).toBe(0);
    expect(none.entry ?? []).toEqual([]);
  });

  it('pages through a search with the library paging helper', async () => {
    const first = (await client.search({
      resourceType: 'Patient',
      searchParams: { given: 'testy', _count: 2 },
    })) as BundleResource;
    expect(first.total).toBe(3);
    expect(first.entry).toHaveLength(2);
    expect(first.link.map((l) => l.relation)).toContain('next');
    const second = (await client.nextPage({ bundle: first })) as BundleResource | undefined;
    expect(second?.entry).toHaveLength(1);
    const seen = [...first.entry!, ...second!.entry!].map((e) => e.resource.id);
    expect(new Set(seen).size).toBe(3);
  });

  it('reads the instance history, newest first, and each version with vread', async () => {
    const history = (await client.history({
      resourceType: 'Patient',
      id: created.id,
    })) as BundleResource;
    expect(history.resourceType).toBe('Bundle');
    expect(history.type).toBe('history');
    expect(history.entry!.map((e) => e.resource.meta.versionId)).toEqual(['2', '1']);
    expect(history.entry![1]!.resource.gender).toBe('other');
    const v1 = (await client.vread({
      resourceType: 'Patient',
      id: created.id,
      version: '1',
    })) as PatientResource;
    expect(v1.meta.versionId).toBe('1');
    expect(v1.gender).toBe('other');
  });

  it('is refused (401) without a valid bearer token', async () => {
    const anonymous = new Client({
      baseUrl: `${t.server.url}/fhir/R4`,
      requestOptions: { dispatcher },
    });
    expect(
      statusOf(
        await anonymous.read({ resourceType: 'Patient', id: created.id }).catch((e: unknown) => e),
      ),
    ).toBe(401);
    const wrong = new Client({
      baseUrl: `${t.server.url}/fhir/R4`,
      bearerToken: 'hvn_' + 'B'.repeat(43),
      requestOptions: { dispatcher },
    });
    expect(
      statusOf(
        await wrong.read({ resourceType: 'Patient', id: created.id }).catch((e: unknown) => e),
      ),
    ).toBe(401);
  });
});

/**
 * The rest of issue 20's list through the same outside client: conditional create and update,
 * JSON Patch, delete, batch, transaction, compartment search and $everything — each as the
 * library sends it, with nothing Haven-specific.
 */
describe.each(ENGINES)('fhir-kit-client, the remaining interactions, on %s', (engine) => {
  let t: TestServer;
  let dispatcher: Dispatcher;
  let client: Client;
  const mrn = (n: number) => `${MRN_SYSTEM}|INTEROP-${n}`;
  const vital = (patientId: string, value: number): FhirResource => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
    subject: { reference: `Patient/${patientId}` },
    valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  });

  beforeAll(async () => {
    t = await startTestServer(engine);
    dispatcher = await undiciAgentTrusting(t.ca);
    client = new Client({
      baseUrl: `${t.server.url}/fhir/R4`,
      bearerToken: t.token,
      requestOptions: { dispatcher },
    });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await t?.stop();
  });

  it('conditional create: a retried create returns the first patient', async () => {
    const send = () =>
      client.create({
        resourceType: 'Patient',
        body: syntheticPatient(11),
        options: { headers: { 'If-None-Exist': `identifier=${mrn(11)}` } },
      });
    const first = (await send()) as PatientResource;
    const retry = (await send()) as PatientResource;
    expect(Client.httpFor(first).response?.status).toBe(201);
    expect(Client.httpFor(retry).response?.status).toBe(200);
    expect(retry.id).toBe(first.id);
  });

  it('conditional update by search parameters: creates, then updates the match', async () => {
    const made = (await client.update({
      resourceType: 'Patient',
      searchParams: { identifier: mrn(12) },
      body: syntheticPatient(12),
    })) as PatientResource;
    expect(Client.httpFor(made).response?.status).toBe(201);
    const again = (await client.update({
      resourceType: 'Patient',
      searchParams: { identifier: mrn(12) },
      body: { ...syntheticPatient(12), gender: 'female' },
    })) as PatientResource;
    expect(again).toMatchObject({ id: made.id, gender: 'female', meta: { versionId: '2' } });
  });

  it('JSON Patch, then delete: the record reads as gone and its history stays', async () => {
    const p = (await client.create({
      resourceType: 'Patient',
      body: syntheticPatient(13),
    })) as PatientResource;
    const patched = (await client.patch({
      resourceType: 'Patient',
      id: p.id,
      jsonPatch: [
        { op: 'test', path: '/gender', value: 'other' },
        { op: 'replace', path: '/gender', value: 'unknown' },
      ],
    })) as PatientResource;
    expect(patched).toMatchObject({ gender: 'unknown', meta: { versionId: '2' } });
    await client.delete({ resourceType: 'Patient', id: p.id });
    const gone = await client.read({ resourceType: 'Patient', id: p.id }).catch((e: unknown) => e);
    expect(statusOf(gone)).toBe(410);
    const history = (await client.history({ resourceType: 'Patient', id: p.id })) as BundleResource;
    expect(history.entry).toHaveLength(3);
  });

  it('a transaction imports a patient with an observation; a batch answers each entry', async () => {
    const tx = (await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:6f0c1a52-9a43-4d6e-8c38-3f2f5b9f0a01',
            resource: syntheticPatient(14),
            request: { method: 'POST', url: 'Patient' },
          },
          {
            resource: {
              ...vital('placeholder', 71),
              subject: { reference: 'urn:uuid:6f0c1a52-9a43-4d6e-8c38-3f2f5b9f0a01' },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    })) as FhirResource & { type: string; entry: { response: { location: string } }[] };
    expect(tx.type).toBe('transaction-response');
    const patientId = tx.entry[0]!.response.location.split('/')[1]!;
    const batch = (await client.batch({
      body: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Patient/${patientId}` } },
          { request: { method: 'GET', url: 'Patient/no-such-interop-patient' } },
          { resource: vital(patientId, 72), request: { method: 'POST', url: 'Observation' } },
        ],
      },
    })) as FhirResource & { type: string; entry: { response: { status: string } }[] };
    expect(batch.type).toBe('batch-response');
    expect(batch.entry.map((e) => e.response.status.split(' ')[0])).toEqual(['200', '404', '201']);

    const compartment = (await client.compartmentSearch({
      resourceType: 'Observation',
      compartment: { resourceType: 'Patient', id: patientId },
    })) as BundleResource;
    expect(compartment.total).toBe(2);

    const everything = (await client.operation({
      name: '$everything',
      resourceType: 'Patient',
      id: patientId,
    })) as BundleResource;
    const types = (everything.entry ?? []).map((e) => e.resource.resourceType).sort();
    expect(types).toEqual(['Observation', 'Observation', 'Patient']);
  });
});
