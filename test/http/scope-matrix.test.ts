import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhirInteraction } from '../../src/access/index.js';
import { declaredRoutes, type ScopeRequirement } from '../../src/http/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { api, TestClock } from './auth/sign-in.js';
import { buildClinic, signInRole, type Clinic, type SignedIn } from './access/clinic.js';

/**
 * Scopes everywhere (issue 13, item 5): every route the app registers, crossed with every kind
 * of token and four scope sets — none relevant, read-only, exactly the one needed, wildcard.
 * The routes come from the running app, so a new route fails here until it is sampled below,
 * and a route declaring no scope requirement cannot start (src/http/permissions.ts).
 */
type Letter = 'c' | 'r' | 'u' | 'd' | 's';
const LETTER: Record<FhirInteraction, Letter> = {
  read: 'r',
  vread: 'r',
  history: 'r',
  search: 's',
  create: 'c',
  update: 'u',
  delete: 'd',
};

/** Routes that hand out no PHI: changing this list is a decision, reviewed with the route. */
const NO_PHI = [
  // The web app's files (src/http/web-routes.ts): the same bytes for everyone.
  'GET /*',
  'GET /assets/*',
  'GET /favicon.svg',
  'GET /api/health',
  'GET /api/openapi.json',
  'GET /bench/baseline',
  'GET /fhir/R4/metadata',
  'GET /healthz',
  'GET /readyz',
  'POST /api/enroll',
  'POST /api/login',
  'POST /api/login/passkey/options',
  'POST /api/login/passkey/verify',
  'POST /api/password/reset',
  // SMART App Launch (ADR 0035): discovery and the OAuth endpoints hand out credentials to the
  // app the person approved, never records; CORS preflights answer headers only.
  'GET /.well-known/smart-configuration',
  'GET /fhir/R4/.well-known/smart-configuration',
  'GET /oauth2/jwks',
  'GET /oauth2/authorize',
  'POST /oauth2/token',
  'POST /oauth2/introspect',
  'POST /oauth2/revoke',
  'OPTIONS /fhir/R4/*',
  'OPTIONS /oauth2/token',
  'OPTIONS /oauth2/revoke',
  'OPTIONS /.well-known/smart-configuration',
];

/** Who holds the token: an API client (system/), or an app acting for a person. */
type Holder = 'client' | 'physician' | 'patient' | 'auditor';
const CONTEXT: Record<Holder, string> = {
  client: 'system',
  physician: 'user',
  patient: 'patient',
  auditor: 'user',
};

interface Sample {
  /** The type and interaction this request exercises (a transaction: its one entry's). */
  resourceType: string;
  interaction: FhirInteraction;
  /** Holders whose role allows the request, so that only the scopes can refuse it. */
  holders: Holder[];
  /** The answer when allowed. */
  ok: number;
  /** The scope letters the route needs, when more than its interaction's (PATCH reads, then updates). */
  letters?: string;
  request: (c: Clinic) => {
    path: string;
    body?: unknown;
    raw?: string;
    type?: string;
    headers?: Record<string, string>;
  };
}

const clinical: Holder[] = ['client', 'physician'];
const ASYNC = { prefer: 'respond-async' };
/** A Group of the clinic's own patient (no role reads Groups: integrations only). */
let groupId = '';
const reading: Holder[] = ['client', 'physician', 'patient'];
const trail: Holder[] = ['client', 'auditor'];
const lab = (c: Clinic) => c.records.own['Observation:lab'];
const vital = (c: Clinic) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'Heart rate' },
  subject: { reference: `Patient/${c.patients.own}` },
  valueQuantity: { value: 60, unit: '/min' },
});

/** One request per PHI route, keyed by `METHOD pattern`. */
const SAMPLES: Record<string, Sample> = {
  'GET /fhir/R4/:type': {
    resourceType: 'Observation',
    interaction: 'search',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Observation?patient=${c.patients.own}` }),
  },
  'POST /fhir/R4/:type/_search': {
    resourceType: 'Observation',
    interaction: 'search',
    holders: reading,
    ok: 200,
    request: (c) => ({
      path: '/fhir/R4/Observation/_search',
      raw: `patient=${c.patients.own}`,
      type: 'application/x-www-form-urlencoded',
    }),
  },
  'POST /fhir/R4/:type': {
    resourceType: 'Observation',
    interaction: 'create',
    holders: clinical,
    ok: 201,
    request: (c) => ({ path: '/fhir/R4/Observation', body: vital(c) }),
  },
  'GET /fhir/R4/:type/:id': {
    resourceType: 'Observation',
    interaction: 'read',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Observation/${lab(c).id}` }),
  },
  'GET /fhir/R4/:type/:id/_history': {
    resourceType: 'Observation',
    interaction: 'history',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Observation/${lab(c).id}/_history` }),
  },
  'GET /fhir/R4/:type/:id/_history/:vid': {
    resourceType: 'Observation',
    interaction: 'vread',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Observation/${lab(c).id}/_history/1` }),
  },
  'PUT /fhir/R4/:type/:id': {
    resourceType: 'Observation',
    interaction: 'update',
    holders: clinical,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Observation/${lab(c).id}`, body: lab(c) }),
  },
  'DELETE /fhir/R4/:type/:id': {
    resourceType: 'Observation',
    interaction: 'delete',
    // No role deletes records (they are kept); an integration's scopes alone decide. A vital,
    // not the lab result the other samples read: a delete that succeeds leaves a tombstone.
    holders: ['client'],
    ok: 204,
    request: (c) => ({ path: `/fhir/R4/Observation/${c.records.own['Observation:vital'].id}` }),
  },
  // Conditional writes search, then write: both letters are needed.
  'PUT /fhir/R4/:type': {
    resourceType: 'Observation',
    interaction: 'update',
    holders: clinical,
    ok: 200,
    letters: 'us',
    request: (c) => ({ path: `/fhir/R4/Observation?_id=${lab(c).id}`, body: lab(c) }),
  },
  'DELETE /fhir/R4/:type': {
    resourceType: 'Observation',
    interaction: 'delete',
    holders: ['client'],
    ok: 204,
    letters: 'ds',
    request: (c) => ({
      path: `/fhir/R4/Observation?_id=${c.records.own['Observation:vital'].id}`,
    }),
  },
  'PATCH /fhir/R4/:type/:id': {
    resourceType: 'Observation',
    interaction: 'update',
    holders: clinical,
    ok: 200,
    letters: 'ru',
    request: (c) => ({
      path: `/fhir/R4/Observation/${lab(c).id}`,
      raw: JSON.stringify([{ op: 'replace', path: '/status', value: 'final' }]),
      type: 'application/json-patch+json',
    }),
  },
  'GET /fhir/R4/Patient/:id/:type': {
    resourceType: 'Observation',
    interaction: 'search',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Patient/${c.patients.own}/Observation` }),
  },
  'GET /fhir/R4/Patient/:id/$everything': {
    resourceType: 'Patient',
    interaction: 'read',
    holders: reading,
    ok: 200,
    request: (c) => ({ path: `/fhir/R4/Patient/${c.patients.own}/$everything` }),
  },
  'POST /fhir/R4/Patient/:id/$everything': {
    resourceType: 'Patient',
    interaction: 'read',
    holders: reading,
    ok: 200,
    request: (c) => ({
      path: `/fhir/R4/Patient/${c.patients.own}/$everything`,
      body: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Patient' }] },
    }),
  },
  // Bulk Data kick-offs (ADR 0036): each _type is a read of that type; a Group is read first.
  'GET /fhir/R4/$export': {
    resourceType: 'Patient',
    interaction: 'read',
    holders: clinical,
    ok: 202,
    request: () => ({ path: '/fhir/R4/$export?_type=Patient', headers: ASYNC }),
  },
  'GET /fhir/R4/Patient/$export': {
    resourceType: 'Patient',
    interaction: 'read',
    holders: reading,
    ok: 202,
    request: () => ({ path: '/fhir/R4/Patient/$export?_type=Patient', headers: ASYNC }),
  },
  'GET /fhir/R4/Group/:id/$export': {
    resourceType: 'Group',
    interaction: 'read',
    holders: ['client'],
    ok: 202,
    request: () => ({ path: `/fhir/R4/Group/${groupId}/$export?_type=Group`, headers: ASYNC }),
  },
  'POST /fhir/R4': {
    resourceType: 'Observation',
    interaction: 'create',
    holders: clinical,
    ok: 200,
    request: (c) => ({
      path: '/fhir/R4',
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: vital(c), request: { method: 'POST', url: 'Observation' } }],
      },
    }),
  },
  'GET /fhir/R4/AuditEvent/:id': {
    resourceType: 'AuditEvent',
    interaction: 'read',
    holders: trail,
    ok: 200,
    request: () => ({ path: '/fhir/R4/AuditEvent/1' }),
  },
  'GET /fhir/R4/AuditEvent': {
    resourceType: 'AuditEvent',
    interaction: 'search',
    holders: trail,
    ok: 200,
    request: () => ({ path: '/fhir/R4/AuditEvent?_count=1' }),
  },
  'GET /api/audit/status': {
    resourceType: 'AuditEvent',
    interaction: 'search',
    holders: trail,
    ok: 200,
    request: () => ({ path: '/api/audit/status' }),
  },
  'GET /api/patients/:id/disclosures': {
    resourceType: 'AuditEvent',
    interaction: 'search',
    holders: ['client', 'auditor', 'patient'],
    ok: 200,
    request: (c) => ({ path: `/api/patients/${c.patients.own}/disclosures` }),
  },
};

/** The four scope sets for one request: [label, scopes, whether they allow it]. */
function scopeSets(holder: Holder, s: Sample): [string, string, boolean][] {
  const ctx = CONTEXT[holder];
  const letter = s.letters ?? LETTER[s.interaction];
  const other = s.resourceType === 'Condition' ? 'Encounter' : 'Condition';
  return [
    ['none relevant', `${ctx}/${other}.cruds ${ctx}/Practitioner.rs`, false],
    ['read-only', `${ctx}/${s.resourceType}.rs`, letter === 'r' || letter === 's'],
    ['exact', `${ctx}/${s.resourceType}.${letter}`, true],
    // The audit trail is a separate duty: no wildcard reaches it.
    ['wildcard', `${ctx}/*.cruds`, s.resourceType !== 'AuditEvent'],
  ];
}

describe.each(ENGINES)('scope × route matrix on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  const clock = new TestClock();
  const people = {} as Record<Exclude<Holder, 'client'>, SignedIn>;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
    const group = await t.request('POST', '/fhir/R4/Group', {
      body: {
        resourceType: 'Group',
        type: 'person',
        actual: true,
        member: [{ entity: { reference: `Patient/${clinic.patients.own}` } }],
      },
    });
    groupId = String(group.json().id);
    for (const role of ['physician', 'patient', 'auditor'] as const)
      people[role] = await signInRole(t, clock, clinic, role);
  }, 180_000);
  afterAll(async () => t.stop());

  const tokenFor = async (holder: Holder, scopes: string): Promise<string> => {
    const key = `${holder} ${scopes}`;
    let token = tokens.get(key);
    if (token === undefined) {
      if (holder === 'client') token = await t.newToken(scopes);
      else {
        const res = await api(t, 'POST', '/api/app-tokens', {
          jar: people[holder].jar,
          body: { name: 'Synthetic matrix app', scopes },
        });
        expect(res.status).toBe(201);
        token = (res.json() as { token: string }).token;
      }
      tokens.set(key, token);
    }
    return token;
  };
  const send = (method: string, s: Sample, token: string): Promise<TestResponse> => {
    const r = s.request(clinic);
    return t.request(method, r.path, {
      token,
      ...(r.body !== undefined && { body: r.body }),
      ...(r.raw !== undefined && { raw: r.raw }),
      headers: {
        ...(r.type !== undefined && { 'content-type': r.type }),
        ...r.headers,
      },
    });
  };

  const routes = () => {
    const seen = new Map<string, ScopeRequirement>();
    for (const r of declaredRoutes) seen.set(`${r.method} ${r.url}`, r.scope);
    return [...seen];
  };

  it('knows every registered route, and every route carrying PHI requires a scope or a session', () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(40);
    const noPhi = all.filter(([, s]) => s.kind === 'no-phi').map(([k]) => k);
    expect(noPhi.sort()).toEqual([...NO_PHI].sort());
    const scoped = all.filter(
      ([, s]) => s.kind === 'scope' || s.kind === 'per-entry' || s.kind === 'per-type',
    );
    expect(scoped.map(([k]) => k).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const [key, scope] of scoped) {
      const s = SAMPLES[key]!;
      if (scope.kind === 'scope') {
        // The sample exercises what the route declares.
        expect([key, scope.interaction]).toEqual([key, s.interaction]);
        if (scope.resourceType !== ':type')
          expect([key, s.resourceType]).toEqual([key, scope.resourceType]);
      }
    }
  });

  it('refuses every scoped route without the scope it needs, and answers it with that scope', async () => {
    const refusals: { key: string; requestId: string }[] = [];
    const cells: string[] = [];
    for (const [key, sample] of Object.entries(SAMPLES)) {
      const method = key.split(' ')[0]!;
      for (const holder of sample.holders) {
        for (const [label, scopes, allowed] of scopeSets(holder, sample)) {
          const res = await send(method, sample, await tokenFor(holder, scopes));
          const cell = `${key} · ${holder} · ${label} (${scopes})`;
          cells.push(cell);
          expect([cell, res.status]).toEqual([cell, allowed ? sample.ok : 403]);
          if (!allowed)
            refusals.push({ key: cell, requestId: String(res.headers['x-request-id']) });
        }
      }
    }
    expect(cells.length).toBeGreaterThan(120);
    // Each refusal was recorded as a refusal for want of scope.
    const rows = await t.haven.auditRepo.entries(0, 1_000_000);
    for (const { key, requestId } of refusals) {
      const denied = rows.filter((r) => r.request_id === requestId && r.outcome === 'denied');
      const reasons = denied.map(
        (r) => (JSON.parse(r.detail ?? '{}') as { reason?: string }).reason,
      );
      expect([key, reasons]).toEqual([key, ['scope-missing']]);
    }
  }, 240_000);

  it('keeps a patient/ scope to the person’s own disclosures', async () => {
    const token = await tokenFor('patient', 'patient/AuditEvent.s');
    const own = await t.request('GET', `/api/patients/${clinic.patients.own}/disclosures`, {
      token,
    });
    expect(own.status).toBe(200);
    const other = await t.request('GET', `/api/patients/${clinic.patients.other}/disclosures`, {
      token,
    });
    expect(other.status).toBe(403);
    // An auditor's patient/ scope names no patient of their own: it reaches nobody.
    const auditor = await tokenFor('auditor', 'patient/AuditEvent.s');
    const res = await t.request('GET', `/api/patients/${clinic.patients.own}/disclosures`, {
      token: auditor,
    });
    expect(res.status).toBe(403);
  });

  it('keeps every own-export route (status, files, cancel) to the caller who started the export', async () => {
    const own = routes().filter(([, s]) => s.kind === 'own-export');
    expect(own.map(([k]) => k).sort()).toEqual([
      'DELETE /fhir/R4/$export-status/:id',
      'GET /fhir/R4/$export-file/:id/:file',
      'GET /fhir/R4/$export-status/:id',
    ]);
    const starter = await tokenFor('client', 'system/*.cruds');
    const kick = await t.request('GET', '/fhir/R4/$export?_type=Patient', {
      token: starter,
      headers: { prefer: 'respond-async' },
    });
    expect(kick.status).toBe(202);
    const id = String(kick.headers['content-location']).split('/').pop()!;
    for (const [key] of own) {
      const [method, pattern] = key.split(' ') as [string, string];
      const path = pattern.replace(':id', id).replace(':file', 'Patient-1.ndjson');
      for (const [holder, scopes] of [
        ['client', 'system/*.cruds system/AuditEvent.rs'],
        ['physician', 'user/*.cruds'],
      ] as [Holder, string][]) {
        const res = await t.request(method, path, { token: await tokenFor(holder, scopes) });
        expect([key, holder, res.status]).toEqual([key, holder, 404]);
      }
    }
  });

  it('refuses every session-only route to every bearer token, whatever its scopes', async () => {
    const sessionOnly = routes().filter(([, s]) => s.kind === 'session-only');
    expect(sessionOnly.length).toBeGreaterThan(20);
    const holders: [Holder, string][] = [
      ['client', 'system/*.cruds system/AuditEvent.rs'],
      ['physician', 'user/*.cruds'],
      ['auditor', 'user/*.cruds user/AuditEvent.rs'],
    ];
    for (const [key] of sessionOnly) {
      const [method, pattern] = key.split(' ') as [string, string];
      const path = pattern.replace(/:[a-zA-Z]+/g, () => crypto.randomUUID());
      const withBody = method !== 'GET' && method !== 'DELETE';
      for (const [holder, scopes] of holders) {
        const res = await t.request(method, path, {
          token: await tokenFor(holder, scopes),
          ...(withBody && { body: {} }),
          headers: {
            accept: 'application/json',
            ...(withBody && { 'content-type': 'application/json' }),
          },
        });
        expect([key, holder, res.status]).toEqual([key, holder, 401]);
      }
    }
  }, 120_000);
});
