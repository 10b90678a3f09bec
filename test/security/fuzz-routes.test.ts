import https from 'node:https';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes } from '../../src/http/index.js';
import { canaryNote, canaryPatient, canarySecrets, CANARY_PATTERN } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { createUser, TestClock } from '../http/auth/sign-in.js';

/**
 * Issue 13 item 11: property-based fuzzing of every route the Fastify app declares, with
 * malformed, oversized, deeply nested, type-confused and unicode-confusable input, without
 * credentials, with an API token and as a signed-in person (session cookie + CSRF token).
 * Properties: never a 5xx, never a stack trace or internal error name, never a canary PHI
 * value in an error, and a refused request (4xx) changes nothing in the database.
 *
 * HAVEN_FUZZ_RUNS sets the inputs per route and credential (default sized for CI);
 * HAVEN_FUZZ_SEED replays a run. Counts are recorded in docs/security-testing.md.
 */
const RUNS = Number(process.env.HAVEN_FUZZ_RUNS ?? 3);
const SEED = process.env.HAVEN_FUZZ_SEED ? Number(process.env.HAVEN_FUZZ_SEED) : undefined;
const CREDENTIALS = ['none', 'token', 'session'] as const;
type Credential = (typeof CREDENTIALS)[number];

const STACK = /\n\s+at |\bat [\w$.<>]+ \(|\.[jt]s:\d+:\d+|RangeError|TypeError|ReferenceError/;

/** Strings that look like something else: confusables, bidi and zero-width marks, traversal. */
const confusable = fc.constantFrom(
  'Ρatient', // Greek capital Rho
  'Ｐatient', // full-width P
  'Patıent', // dotless i
  'pat\u200Bient', // zero-width space
  '\u202Eitneitap', // right-to-left override
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\uFEFF',
  'ǅ',
  'ﬁle',
  '\uD800', // lone surrogate
  'Ǆ'.repeat(300),
  '../../../',
  "' OR 1=1 --",
  '${7*7}',
  '__proto__',
  'constructor',
);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  confusable,
  fc.constant('a'.repeat(5000)),
  fc.constantFrom(...canarySecrets(91)),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 2 ** 53, 1e308, -0),
);
const FIELDS = [
  'resourceType',
  'id',
  'meta',
  'name',
  'birthDate',
  'subject',
  'patient',
  'status',
  'code',
  'entry',
  'type',
  'request',
  'resource',
  'email',
  'password',
  'code',
  'token',
  'reason',
  'roles',
  'scopes',
  'current',
  'next',
  'practitionerId',
  'patientId',
  'contentType',
  'data',
  '__proto__',
];
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie('v'), { maxKeys: 4 }),
  ),
})).v;
const resourceType = fc.oneof(
  fc.constantFrom('Patient', 'Observation', 'Bundle', 'Binary', 'CareTeam', 'Appointment'),
  confusable,
  scalar,
);

/** A body: a serialized string, or none. */
const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }), // malformed text
  value.map((v) => JSON.stringify(v) ?? 'null'), // type-confused JSON
  fc
    .record({ resourceType, rest: fc.dictionary(fc.constantFrom(...FIELDS), value) })
    .map(({ resourceType: rt, rest }) => JSON.stringify({ ...rest, resourceType: rt })),
  fc
    .record({ entry: fc.array(value, { maxLength: 4 }) })
    .map(({ entry }) => JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry })),
  fc
    .record({ depth: fc.integer({ min: 50, max: 20_000 }), open: fc.constantFrom('[', '{"a":') })
    .map(({ depth, open }) => open.repeat(depth) + '1'), // deeply nested (and unterminated)
  fc.integer({ min: 50, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.constant(JSON.stringify({ ...canaryPatient(91), birthDate: 'not a date' })),
  fc.constant(`{"__proto__":{"admin":true},"resourceType":"Patient"}`),
  fc.constant('x'.repeat(200_000)),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/fhir+json',
  'application/fhir+json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/pdf',
  'multipart/form-data; boundary=x',
  'application/json; charset=klingon',
);
/** Percent-encoding that survives lone surrogates (encodeURIComponent would throw). */
const enc = (v: string) =>
  encodeURIComponent(
    v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
/** Escapes that are not valid UTF-8 or decode to traversal and NUL: sent as they are. */
const rawEscape = fc.constantFrom('%ED%A0%80', '%C0%AF', '%2e%2e', '%00', '%', '%zz', '%FF%FE');
const QUERY_KEYS = [
  '_id',
  'name',
  'family',
  'birthdate',
  'identifier',
  'patient',
  'subject',
  'date',
  'code',
  '_count',
  '_sort',
  '_summary',
  '_elements',
  '_format',
  '_cursor',
  'name:exact',
  'subject:Patient.name',
  'action',
  'since',
  'limit',
];
const query = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), text.map(enc), rawEscape),
      fc.oneof(
        text.map(enc),
        rawEscape,
        fc.constantFrom('eq2020', 'gt1911-01-01', '-1', '99999999', 'count', 'true', 'Patient/x'),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&')));
/** A header value as raw bytes on the wire: UTF-8 sent as Latin-1, control characters dropped. */
const headerText = text.map((v) =>
  [...Buffer.from(v, 'utf8').toString('latin1')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join(''),
);
const header = fc.record(
  {
    'if-match': fc.oneof(fc.constant('W/"1"'), headerText),
    'if-none-exist': fc.oneof(fc.constant('identifier=x'), headerText),
    accept: fc.constantFrom('application/fhir+xml', '*/*', 'text/html', 'application/json'),
    prefer: fc.constantFrom('return=representation', 'handling=strict', 'x'),
  },
  { requiredKeys: [] },
);

/**
 * Inputs every route gets on every run, before the random ones: the shapes that crashed or
 * leaked before (issue 13 item 11), so a small CI run cannot miss them by chance.
 */
function knownHostile(params: number, patientId: string): [FuzzInput][] {
  const base = { contentType: 'application/fhir+json', headers: {} };
  const deep = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
  return [
    [
      {
        ...base,
        params: Array.from({ length: params }, (_, i) => (i === 0 ? 'Patient' : patientId)),
        query: '',
        body: `{"resourceType":"Patient","id":"${patientId}","x":${deep(10_000)}}`,
      },
    ],
    [
      {
        ...base,
        params: Array.from({ length: params }, () => 'Patient'),
        query: '',
        body: '{"resourceType":"Bundle","type":"transaction","entry":[null,"x",{"resource":null}]}',
      },
    ],
    [
      {
        ...base,
        params: Array.from({ length: params }, () => '%ED%A0%80'),
        query: `?${canarySecrets(91)[0]}=%zz&name=${canarySecrets(91)[1]}`,
        body: undefined,
      },
    ],
  ];
}

interface FuzzInput {
  params: string[];
  query: string;
  body: string | undefined;
  contentType: string;
  headers: Record<string, string>;
}

describe.each(ENGINES)('fuzzing every route on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let patientId: string;
  let session = { id: '', csrf: '' };
  let userId: string;
  let tried = 0;
  let current: string | undefined;

  /** A signed-in person, started in-process (a fuzzed /api/login must not throttle it away). */
  const newSession = async () => {
    const s = await t.haven.people.sessions.start({ userId, mfaSatisfied: true });
    session = { id: s.sessionId, csrf: s.csrfToken };
  };

  /** What a refused request must not change: records, versions, people, grants, relations. */
  const digest = async () => {
    const r = await sql<Record<string, string | number>>`
      select (select count(*) from resource_versions) as versions,
             (select count(*) from resource_heads) as heads,
             (select count(*) from users) as users,
             (select count(*) from api_clients) as clients,
             (select count(*) from break_glass_grants) as grants,
             (select count(*) from care_relations) as relations,
             (select count(*) from webauthn_credentials) as passkeys`.execute(t.haven.database.db);
    return JSON.stringify(Object.values(r.rows[0]!).map(Number));
  };

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    patientId = String(
      (await t.request('POST', '/fhir/R4/Patient', { body: canaryPatient(91) })).json().id,
    );
    await t.request('POST', '/fhir/R4/Observation', {
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: canaryNote(91) },
        subject: { reference: `Patient/${patientId}` },
      },
    });
    const practitioner = (
      await t.request('POST', '/fhir/R4/Practitioner', {
        body: { resourceType: 'Practitioner', name: [{ family: 'Fuzzdoc' }] },
      })
    ).json().id;
    userId = (
      await createUser(t, clock, {
        totp: true,
        roles: ['physician'],
        practitionerId: String(practitioner),
      })
    ).userId;
    await newSession();
  }, 120_000);
  afterAll(async () => {
    // The number of inputs tried, for docs/security-testing.md.
    process.stdout.write(
      `fuzz ${engine}: ${tried} requests (3 known-hostile + ${RUNS} random per route and credential)\n`,
    );
    await t.stop();
  });

  const send = (
    method: string,
    url: string,
    credential: Credential,
    input: FuzzInput,
  ): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...input.headers };
    if (input.body !== undefined) headers['content-type'] = input.contentType;
    if (credential === 'session') {
      headers.cookie = `__Host-haven_session=${session.id}`;
      headers['x-csrf-token'] = session.csrf;
      headers.origin = new URL(t.server.url).origin;
    }
    if (credential === 'token') headers.authorization = `Bearer ${t.token}`;
    return sendOnOwnConnection(t, method, url, headers, input.body);
  };

  const check = async (method: string, url: string, credential: Credential, input: FuzzInput) => {
    // The digest after one request is the digest before the next: one query per request.
    const before = (current ??= await digest());
    let res: TestResponse;
    try {
      res = await send(method, url, credential, input);
    } catch (e) {
      throw new Error(`${credential} ${method} ${url}: no answer (${String(e)})`);
    }
    tried++;
    const what = `${credential} ${method} ${url} → ${res.status}`;
    expect(res.status, what).toBeLessThan(500);
    expect(STACK.test(res.text), `${what}: stack trace`).toBe(false);
    current = await digest();
    if (res.status >= 400) {
      expect(CANARY_PATTERN.test(res.text), `${what}: canary PHI in an error`).toBe(false);
      expect(current, `${what}: a refused request changed the database`).toBe(before);
    }
    if (credential === 'none') {
      expect(CANARY_PATTERN.test(res.text), `${what}: PHI without credentials`).toBe(false);
    }
    // A fuzzed logout or password change may end the session: start another.
    if (credential === 'session' && res.status < 300 && /logout|password/.test(url))
      await newSession();
  };

  it(
    'answers every route, with every credential, without a 5xx, a stack trace, PHI in an error or a change from a refused request',
    { timeout: 600_000 },
    async () => {
      const routes = [
        ...new Map(declaredRoutes.map((r) => [`${r.method} ${r.url}`, r])).values(),
      ].filter((r) => r.method !== 'HEAD' && r.url !== '/bench/baseline');
      // The routes the app serves here, and a path it does not.
      expect(routes.length).toBeGreaterThan(30);
      routes.push({
        method: 'GET',
        url: '/fhir/R4/:type/:id/:x/:y',
        permission: 'public',
        scope: { kind: 'no-phi' },
      });
      for (const route of routes) {
        const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        const segment = fc.oneof(
          fc.constant(patientId),
          fc.constant('Patient'),
          fc.uuid(),
          text.map(enc),
          rawEscape,
        );
        const input = fc.record<FuzzInput>({
          params: fc.array(segment, { minLength: names.length, maxLength: names.length }),
          query,
          body,
          contentType,
          headers: header as fc.Arbitrary<Record<string, string>>,
        });
        for (const credential of CREDENTIALS) {
          await fc.assert(
            fc.asyncProperty(input, async (i) => {
              let n = 0;
              const url = route.url.replace(/:(\w+)/g, () => i.params[n++] ?? '');
              await check(route.method, url + i.query, credential, i);
            }),
            {
              // The known-hostile examples count towards numRuns: RUNS random inputs on top.
              numRuns: RUNS + 3,
              examples: knownHostile(names.length, patientId),
              ...(SEED !== undefined && { seed: SEED }),
              endOnFailure: true,
            },
          );
        }
      }
    },
  );

  it('refuses a body one byte over the limit with 413 and changes nothing', async () => {
    const before = await digest();
    const res = await send('POST', '/fhir/R4/Patient', 'token', {
      params: [],
      query: '',
      body: 'x'.repeat(t.config.bodyLimitBytes + 1),
      contentType: 'application/fhir+json',
      headers: {},
    });
    tried++;
    expect(res.status).toBe(413);
    expect(await digest()).toBe(before);
  });
});

/**
 * One request on a connection of its own (no agent). After Node's HTTP parser refuses a request
 * (431 for a URL over 16 KB) it closes the connection, and a pooled client may hand that socket
 * to the next request, which then sees "socket hang up" (seen even with a new pool after every
 * `connection: close`): a property of the client's pool, not of the server, so no pool here.
 */
function sendOnOwnConnection(
  t: TestServer,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<TestResponse> {
  const payload = body === undefined ? undefined : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(url, t.server.url),
      {
        method,
        agent: false,
        ca: t.ca,
        servername: 'localhost',
        headers: {
          accept: 'application/fhir+json',
          ...(payload && { 'content-length': String(payload.length) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          const text = all.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: all,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}
