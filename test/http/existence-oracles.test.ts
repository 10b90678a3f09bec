import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { TestClock } from './auth/sign-in.js';
import { buildClinic, signInRole, type Clinic, type SignedIn } from './access/clinic.js';

/**
 * No existence oracles (issue 13, item 6): a person without access to a record gets the same
 * answer for it as for an id that does not exist, on every method and status path. Each case
 * sends the same request twice, once naming a record of a patient the person does not reach
 * and once a fresh random id, and compares status and body (the OperationOutcome's id is the
 * request id, so it is left out).
 */
interface Case {
  name: string;
  method: string;
  /** The path for a record id (the existing one, or the absent one). */
  path: (id: string) => string;
  body?: (id: string) => unknown;
  headers?: Record<string, string>;
}

const absent = () => crypto.randomUUID();

describe.each(ENGINES)('existence oracles on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();
  const people: Record<string, SignedIn> = {};

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
    people.physician = await signInRole(t, clock, clinic, 'physician');
    people.patient = await signInRole(t, clock, clinic, 'patient');
  }, 180_000);
  afterAll(async () => t.stop());

  const as = (who: SignedIn, c: Case, id: string): Promise<TestResponse> => {
    const headers: Record<string, string> = {
      origin: new URL(t.server.url).origin,
      accept: 'application/fhir+json',
      cookie: `__Host-haven_session=${who.jar.session}`,
      ...(who.jar.csrf && { 'x-csrf-token': who.jar.csrf }),
      ...c.headers,
    };
    const body = c.body?.(id);
    return t.request(c.method, c.path(id), {
      token: null,
      headers,
      ...(body !== undefined && { body }),
    });
  };
  const shape = (res: TestResponse) => {
    const { id: _requestId, ...rest } = res.json();
    return { status: res.status, body: rest };
  };

  /** Another patient's stored record, as the integration sees it, re-aimed at `id`. */
  const otherRecord = (variant: 'Observation:vital' | 'Binary:unreleased', id: string) => {
    const stored = clinic.records.other[variant];
    const { meta: _meta, ...rest } = stored;
    return { ...rest, id };
  };

  const cases = (): Case[] => {
    const obs = (id: string) => `/fhir/R4/Observation/${id}`;
    const bin = (id: string) => `/fhir/R4/Binary/${id}`;
    const otherObs = clinic.records.other['Observation:vital'].id;
    return [
      { name: 'read', method: 'GET', path: obs },
      { name: 'vread', method: 'GET', path: (id) => `${obs(id)}/_history/1` },
      { name: 'history', method: 'GET', path: (id) => `${obs(id)}/_history` },
      { name: 'PUT', method: 'PUT', path: obs, body: (id) => otherRecord('Observation:vital', id) },
      ...['W/"1"', 'W/"2"', '"1"'].map((etag) => ({
        name: `PUT If-Match ${etag}`,
        method: 'PUT',
        path: obs,
        body: (id: string) => otherRecord('Observation:vital', id),
        headers: { 'if-match': etag },
      })),
      {
        name: 'PATCH',
        method: 'PATCH',
        path: obs,
        body: () => [{ op: 'replace', path: '/status', value: 'amended' }],
      },
      { name: 'DELETE', method: 'DELETE', path: obs },
      {
        // The condition is searched as the caller: a record they may not see matches nothing.
        name: 'POST If-None-Exist',
        method: 'POST',
        path: () => '/fhir/R4/Observation',
        body: (id) => otherRecord('Observation:vital', id),
        headers: { 'if-none-exist': `_id=${otherObs}` },
      },
      { name: 'Binary read', method: 'GET', path: bin },
      {
        name: 'Binary read as JSON',
        method: 'GET',
        path: (id) => `${bin(id)}?_format=json`,
      },
      { name: 'Binary update', method: 'PUT', path: bin, body: (id) => binaryIn(id, undefined) },
      {
        name: 'Binary update If-Match',
        method: 'PUT',
        path: bin,
        body: (id) => binaryIn(id, undefined),
        headers: { 'if-match': 'W/"1"' },
      },
    ];
  };
  const binaryIn = (id: string, context: string | undefined) => ({
    ...otherRecord('Binary:unreleased', id),
    ...(context !== undefined && { securityContext: { reference: context } }),
  });

  for (const role of ['physician', 'patient'] as const) {
    it(`gives a ${role} the same answer for another patient's record and a missing one`, async () => {
      const seen = new Set<number>();
      for (const c of cases()) {
        const variant = c.path('x').includes('Binary') ? 'Binary:unreleased' : 'Observation:vital';
        const present = shape(await as(people[role]!, c, clinic.records.other[variant].id));
        const missing = shape(await as(people[role]!, c, absent()));
        expect({ case: c.name, ...missing }).toEqual({ case: c.name, ...present });
        expect(present.status).toBeGreaterThanOrEqual(400);
        seen.add(present.status);
      }
      // The refusals really are refusals of access, not of the request's form.
      expect([...seen].every((s) => [401, 403, 404, 405].includes(s))).toBe(true);
    });

    it(`gives a ${role} the same answer for an attachment whose securityContext is another patient's record or a missing one`, async () => {
      const other = clinic.records.other['Observation:vital'].id;
      for (const [method, path] of [
        ['POST', () => '/fhir/R4/Binary'],
        ['PUT', (id: string) => `/fhir/R4/Binary/${id}`],
      ] as const) {
        const id = absent();
        const c = (context: string): Case => ({
          name: `Binary ${method} securityContext`,
          method,
          path: () => path(id),
          body: () => binaryIn(id, context),
        });
        const present = shape(await as(people[role]!, c(`Observation/${other}`), id));
        const missing = shape(await as(people[role]!, c(`Observation/${absent()}`), id));
        expect({ method, ...missing }).toEqual({ method, ...present });
        expect([403, 404]).toContain(present.status);
      }
      // Nothing was written either way.
      expect(
        await t.haven.records.resources.idsByOwner(`Patient/${clinic.patients.other}`, ['Binary']),
      ).toHaveLength(2);
    });
  }

  it('still tells a person with access about a stale If-Match and a missing securityContext', async () => {
    const integration = (method: string, path: string, body: unknown, headers = {}) =>
      t.request(method, path, { body, headers });
    const own = clinic.records.own['Observation:vital'];
    const stale = await integration(
      'PUT',
      `/fhir/R4/Observation/${own.id}`,
      { ...own, meta: undefined },
      { 'if-match': 'W/"7"' },
    );
    expect(stale.status).toBe(412);
    const missing = await integration('POST', '/fhir/R4/Binary', {
      resourceType: 'Binary',
      contentType: 'text/plain',
      securityContext: { reference: `Observation/${absent()}` },
      data: Buffer.from('synthetic').toString('base64'),
    });
    expect(missing.status).toBe(400);
  });
});
