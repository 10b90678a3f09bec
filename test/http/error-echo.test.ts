import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { api, createUser, signIn, TestClock, type Jar } from './auth/sign-in.js';

/**
 * Issue 23's repros over HTTP: a refusal names where and what, never what the client wrote.
 * (test/security/error-echo-canary.test.ts sweeps every route; these pin the exact answers.)
 */
const CANARY = 'qz7Hannelore4711';

const noCanary = (res: TestResponse) => {
  expect(res.text.toLowerCase()).not.toContain(CANARY.toLowerCase());
  for (const value of Object.values(res.headers))
    expect(String(value).toLowerCase()).not.toContain(CANARY.toLowerCase());
};

describe.each(ENGINES)('refusals without echo on %s', (engine) => {
  let t: TestServer;
  let nurse: Jar;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    nurse = await signIn(t, clock, await createUser(t, clock, { totp: true, roles: ['nurse'] }));
    // App tokens want a re-authentication within five minutes.
    await api(t, 'POST', '/api/reauth', {
      jar: nurse,
      body: { password: 'violet harbour lantern 42' },
    });
  }, 120_000);
  afterAll(async () => t?.stop());

  it('reports unknown FHIR elements at their nearest known parent, top-level and nested', async () => {
    const res = await t.request('POST', '/fhir/R4/Patient', {
      body: {
        resourceType: 'Patient',
        [`MRN-${CANARY}`]: 'x',
        name: [{ family: 'Testfamily', [CANARY]: 'x' }],
      },
    });
    expect(res.status).toBe(400);
    noCanary(res);
    const expressions = (res.json().issue as { expression?: string[] }[]).flatMap(
      (i) => i.expression ?? [],
    );
    expect(expressions).toEqual(expect.arrayContaining(['Patient', 'Patient.name[0]']));
  });

  it('names a malformed scope by its index, in fixed text', async () => {
    const res = await api(t, 'POST', '/api/app-tokens', {
      jar: nurse,
      body: { name: 'Test app', scopes: `user/Patient.rs ${CANARY}` },
    });
    expect(res.status).toBe(400);
    noCanary(res);
    expect(res.json()).toMatchObject({
      error: {
        code: 'invalid-scopes',
        message: 'a scope is not a SMART user/ or patient/ scope such as user/Observation.rs',
        index: 1,
      },
    });
    const system = await api(t, 'POST', '/api/app-tokens', {
      jar: nurse,
      body: { name: 'Test app', scopes: 'user/Patient.rs user/Observation.rs system/*.rs' },
    });
    expect(system.json()).toMatchObject({ error: { code: 'invalid-scopes', index: 2 } });
  });

  it('quotes a search parameter only when the server defines it', async () => {
    const unknown = await t.request('GET', `/fhir/R4/Patient?${CANARY}=1`);
    expect(unknown.status).toBe(400);
    noCanary(unknown);
    const modifier = await t.request('GET', `/fhir/R4/Patient?family:${CANARY}=1`);
    expect(modifier.status).toBe(400);
    noCanary(modifier);
    expect(modifier.json().issue![0]!.diagnostics).toContain("'family'");
    const defined = await t.request('GET', '/fhir/R4/Patient?name:contains=x');
    expect(defined.json().issue![0]!.diagnostics).toContain("'name:contains'");
    const audit = await t.request('GET', `/fhir/R4/AuditEvent?${CANARY}=1`);
    expect(audit.status).toBe(400);
    noCanary(audit);
  });

  it('answers an undecodable URL and a too-long path part with fixed texts, in parallel', async () => {
    const answers = await Promise.all(
      [
        `/fhir/R4/Patient/${CANARY}%zz`,
        `/fhir/R4/Patient/${'a'.repeat(120)}${CANARY}`,
        `/api/patients/${CANARY}%zz/disclosures`,
        `/api/patients/${'a'.repeat(120)}${CANARY}/disclosures`,
      ].map((path) => t.request('GET', path)),
    );
    expect(answers.map((r) => r.status)).toEqual([400, 414, 400, 414]);
    for (const res of answers) noCanary(res);
    expect(answers[0]!.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(answers[2]!.json()).toMatchObject({
      error: { code: 'bad-url', requestId: expect.any(String) },
    });
    expect(t.logs.join('\n').toLowerCase()).not.toContain(CANARY.toLowerCase());
  });
});
