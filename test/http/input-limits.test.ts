import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../../src/audit/index.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../src/http/json-body.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';

const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('jsonNestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonNestsDeeperThan(nested(3), 3)).toBe(false);
    expect(jsonNestsDeeperThan(nested(4), 3)).toBe(true);
    expect(jsonNestsDeeperThan('[[["a"]]]', 2)).toBe(true);
    expect(jsonNestsDeeperThan(`{"s":"${'['.repeat(50)}\\"${'{'.repeat(50)}"}`, 1)).toBe(false);
  });
});

/** Issue 13 item 11: input that used to crash a handler (500) is a 400 and changes nothing. */
describe.each(ENGINES)('hostile bodies on %s', (engine) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(engine);
  }, 60_000);
  afterAll(async () => t.stop());

  let auditReader: string | undefined;
  const auditToken = async () => (auditReader ??= await t.newToken('system/AuditEvent.rs'));
  const patientsStored = async () =>
    (await t.request('GET', '/fhir/R4/Patient?_summary=count')).json().total;

  it.each([
    ['a resource', '/fhir/R4/Patient', `{"resourceType":"Patient","x":${nested(10_000)}}`],
    [
      'a transaction entry',
      '/fhir/R4',
      `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","x":${nested(10_000)}},"request":{"method":"POST","url":"Patient"}}]}`,
    ],
    ['a JSON API body', '/api/login', `{"email":${nested(10_000)},"password":"x"}`],
  ])('JSON nested 10,000 deep in %s is a 400, not a RangeError', async (_what, path, raw) => {
    const before = await patientsStored();
    const res = await t.request('POST', path, {
      raw,
      headers: path.startsWith('/api') ? { 'content-type': 'application/json' } : {},
      ...(path.startsWith('/api') && { token: null }),
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`deeper than ${MAX_JSON_DEPTH}`);
    expect(await patientsStored()).toBe(before);
  });

  it('a body at the depth limit still parses', async () => {
    const res = await t.request('POST', '/fhir/R4/Patient', {
      raw: `{"resourceType":"Patient","x":${nested(MAX_JSON_DEPTH - 1)}}`,
    });
    // Reaches validation (an unknown element), so not refused by the depth check.
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('deeper than');
  });

  it.each([[null], ['a string'], [7], [[]], [{ resource: null, request: 'POST' }]])(
    'a transaction with entry [%j] is a 400',
    async (entry) => {
      const before = await patientsStored();
      const res = await t.request('POST', '/fhir/R4', {
        body: { resourceType: 'Bundle', type: 'transaction', entry: [entry] },
      });
      expect(res.status).toBe(400);
      expect(res.json().resourceType).toBe('OperationOutcome');
      expect(await patientsStored()).toBe(before);
    },
  );

  // Found by the route fuzzing: Fastify's own answers quoted the whole URL, search values too.
  it.each([
    ['an undecodable URL', '/fhir/R4/Patient/%ED%A0%80?name=Canarywing92', 400],
    ['an undecodable URL on /api', '/api/break-glass/%/end?x=Canarywing92', 400],
    [
      'a path segment over the length limit',
      `/fhir/R4/Patient/Canarywing92${'a'.repeat(200)}`,
      414,
    ],
  ])(
    '%s is refused with a fixed text, audited, without echoing it',
    async (_what, path, status) => {
      const res = await t.request(path.startsWith('/api') ? 'POST' : 'GET', path);
      expect(res.status).toBe(status);
      expect(res.text).not.toContain('Canarywing92');
      expect(res.headers['x-request-id']).toBeDefined();
      const rows = (await t.haven.auditRepo.entries(0, 1_000_000)).filter(
        (r) => r.request_id === res.headers['x-request-id'],
      );
      expect(rows.map((r) => [r.action, r.outcome])).toEqual([['request-refused', 'failure']]);
    },
  );

  it.each(['Patient', 'AuditEvent'])(
    'does not quote a made-up search parameter name (%s)',
    async (type) => {
      const res = await t.request('GET', `/fhir/R4/${type}?Canarywing92=1`);
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('Canarywing92');
    },
  );

  // Found by the route fuzzing: a NUL from the URL reached an audit entry, PostgreSQL refused
  // it and the whole batch failed (503 for every request in it).
  it.each([
    ['DELETE', '/fhir/R4/Patient/%00'],
    ['GET', '/fhir/R4/Patient/%00'],
    ['GET', '/fhir/R4/Patient/%00/_history'],
    ['GET', '/fhir/R4/Patient?_id=%00'],
    ['PUT', '/fhir/R4/Patient/%00'],
    ['GET', '/fhir/R4/Binary/%00'],
    ['GET', '/api/patients/%00/disclosures'],
    ['GET', '/fhir/R4/AuditEvent?patient=%00'],
    ['GET', '/fhir/R4/AuditEvent?agent=%00'],
  ])('%s %s: no 5xx, and the trail still verifies', async (method, path) => {
    const res = await t.request(method, path, {
      ...(path.includes('AuditEvent') && { token: await auditToken() }),
      ...(method === 'PUT' && { body: { resourceType: 'Patient', id: '\u0000' } }),
    });
    expect(res.status).toBeLessThan(500);
    const report = await verifyTrail(t.haven.auditRepo, [t.haven.auditKey.verifier]);
    expect(report.ok).toBe(true);
  });
});
