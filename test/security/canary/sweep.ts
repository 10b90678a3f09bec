import { send, type TestResponse, type TestServer } from '../../support/haven-server.js';
import {
  createUser,
  signIn,
  STAFF_PASSWORD,
  type Jar,
  type TestClock,
} from '../../http/auth/sign-in.js';
import { CANARY_MARK, probesOf, type Probe } from './probes.js';
import { ROUTE_CASES, type Credential, type Fixtures } from './route-cases.js';

/** A registered route, as the app's onRoute hook saw it. */
export interface Route {
  method: string;
  url: string;
}

export interface Finding {
  route: string;
  as: Credential;
  probe: string;
  status: number;
  where: string;
}

export interface SweepResult {
  requests: number;
  findings: Finding[];
  /** Log lines holding any canary. */
  leakedLogLines: string[];
  /** Status counts by route and credential: how far the probes got. */
  statuses: Record<string, Record<number, number>>;
}

type Creds = Record<Exclude<Credential, 'none' | 'system'>, Jar | string>;

/** HEAD twins Fastify adds to GET routes (they bypass the onRoute inventory). */
export function headTwins(routes: Route[], has: (r: Route) => boolean): Route[] {
  return routes
    .filter((r) => r.method === 'GET')
    .map((r) => ({ method: 'HEAD', url: r.url }))
    .filter(has);
}

/** Routes without a case: the sweep refuses to run past them (a new route needs one). */
export function routesWithoutCase(routes: Route[]): string[] {
  return routes.map((r) => `${r.method} ${r.url}`).filter((key) => !(key in ROUTE_CASES));
}

/** Cases of routes the app no longer registers (a renamed route must take its case along). */
export function casesWithoutRoute(routes: Route[]): string[] {
  const registered = new Set(routes.map((r) => `${r.method} ${r.url}`));
  return Object.keys(ROUTE_CASES).filter((key) => !registered.has(key));
}

/** People signed in, an app token and fixture records, made before any canary is sent. */
export async function prepare(
  t: TestServer,
  clock: TestClock,
): Promise<{ creds: Creds; fixtures: Fixtures }> {
  const created = await t.request('POST', '/fhir/R4/Patient', {
    body: { resourceType: 'Patient', name: [{ family: 'Testfixture' }], gender: 'other' },
  });
  if (created.status !== 201) throw new Error(`fixture patient: ${created.status}`);
  const patientId = (created.json() as { id: string }).id;
  const person = async (roles: string[]) =>
    signIn(t, clock, await createUser(t, clock, { totp: true, roles }));
  const physician = await person(['physician']);
  const app = await appToken(t, physician);
  const creds: Creds = {
    'session:physician': physician,
    'session:admin': await person(['admin']),
    'session:auditor': await person(['auditor']),
    'session:logout': await person(['nurse']),
    'session:nurse': await person(['nurse']),
    app,
  };
  // Sensitive routes (break-glass, user admin, app tokens, passkeys) want a re-authentication
  // within five minutes; the clock stands still from here on, so it stays fresh.
  for (const [name, jar] of Object.entries(creds)) {
    if (typeof jar === 'string') continue;
    const res = await sendAs(
      t,
      jar,
      'POST',
      '/api/reauth',
      { 'content-type': 'application/json' },
      JSON.stringify({ password: STAFF_PASSWORD }),
    );
    if (res.status !== 204) throw new Error(`re-authentication of ${name}: ${res.status}`);
  }
  // The user whose roles the admin probes change: nobody the sweep signs in with.
  const target = await createUser(t, clock, { roles: ['scheduler'] });
  return { creds, fixtures: { patientId, userId: target.userId } };
}

async function appToken(t: TestServer, who: Jar): Promise<string> {
  const res = await sendAs(
    t,
    who,
    'POST',
    '/api/app-tokens',
    {
      'content-type': 'application/json',
    },
    JSON.stringify({ name: 'Canary sweep app', scopes: 'user/*.cruds' }),
  );
  if (res.status !== 201) throw new Error(`app token: ${res.status}`);
  return (res.json() as { token: string }).token;
}

/**
 * Sends every probe of every route with each of its credentials (and without any), a few at a
 * time, and collects every place a probe's own canary came back: the body, any header, or a
 * log line (any canary at all).
 */
export async function sweep(
  t: TestServer,
  routes: Route[],
  setup: { creds: Creds; fixtures: Fixtures },
  o: { subset: boolean; parallel: number },
): Promise<SweepResult> {
  const jobs: Array<() => Promise<Finding[]>> = [];
  const statuses: Record<string, Record<number, number>> = {};
  for (const route of routes) {
    const key = `${route.method} ${route.url}`;
    // Fastify answers HEAD for every GET (headers only): the GET's case, the cheap probes.
    const head = route.method === 'HEAD';
    const rc = ROUTE_CASES[head ? `GET ${route.url}` : key]!;
    const subset = o.subset || head;
    const probes = probesOf(route.url, rc, setup.fixtures, { subset });
    const who: Credential[] = subset ? [rc.as[0]!] : [...new Set<Credential>(['none', ...rc.as])];
    for (const as of who)
      for (const probe of as === 'none' && rc.as[0] !== 'none' ? probes.slice(0, 12) : probes)
        jobs.push(async () => {
          const res = await sendProbe(t, route.method, probe, as, setup.creds);
          const seen = (statuses[`${key} as ${as}`] ??= {});
          seen[res.status] = (seen[res.status] ?? 0) + 1;
          const allowed =
            rc.echoesOnSuccess !== undefined && probe.kind === 'value' && res.status < 300;
          return leaksOf(res, probe, allowed).map((where) => ({
            route: key,
            as,
            probe: probe.label,
            status: res.status,
            where,
          }));
        });
  }
  const findings: Finding[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const found = await jobs[next++]!();
      findings.push(...found);
    }
  };
  await Promise.all(Array.from({ length: o.parallel }, worker));
  return {
    requests: jobs.length,
    findings,
    leakedLogLines: t.logs.filter((line) => CANARY_MARK.test(line)),
    statuses,
  };
}

/** Where a probe's canaries came back; the body is exempt only when `bodyMayEcho`. */
function leaksOf(res: TestResponse, probe: Probe, bodyMayEcho: boolean): string[] {
  const found: string[] = [];
  const has = (text: string) => probe.canaries.some((c) => text.toLowerCase().includes(c));
  if (!bodyMayEcho && has(res.text)) found.push(`body: ${res.text.slice(0, 300)}`);
  for (const [name, value] of Object.entries(res.headers)) {
    const text = `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`;
    if (has(text) && !(bodyMayEcho && name === 'location')) found.push(`header ${text}`);
  }
  return found;
}

function sendProbe(
  t: TestServer,
  method: string,
  probe: Probe,
  as: Credential,
  creds: Creds,
): Promise<TestResponse> {
  const qs = probe.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  const url = qs.length ? `${probe.path}?${qs.join('&')}` : probe.path;
  const token = as === 'system' ? t.token : as === 'app' ? (creds.app as string) : null;
  if (as === 'none' || token) {
    return send(t.server.url, t.ca, method, url, token, {
      headers: { accept: 'application/json', ...probe.headers },
      ...(probe.body !== undefined ? { raw: probe.body } : {}),
    });
  }
  return sendAs(t, creds[as as keyof Creds] as Jar, method, url, probe.headers, probe.body);
}

/** A browser's request: session cookie, same origin, CSRF token; a probe's headers win. */
function sendAs(
  t: TestServer,
  jar: Jar,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<TestResponse> {
  return send(t.server.url, t.ca, method, url, null, {
    headers: {
      accept: 'application/json',
      origin: new URL(t.server.url).origin,
      cookie: `__Host-haven_session=${jar.session}`,
      ...(jar.csrf ? { 'x-csrf-token': jar.csrf } : {}),
      ...headers,
    },
    ...(body !== undefined ? { raw: body } : {}),
  });
}
