/**
 * The person behind the `read-clinician` scenario: a physician whose Practitioner is on a
 * CareTeam with every seeded patient, enrolled and signed in (password, then TOTP) through the
 * session API exactly as the web app does it, so each measured read goes through the session
 * resolve and the relationship-aware access decision and is allowed.
 */
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { makeClient, type Reply } from './client.js';
import { totp } from './haven.js';
import type { SeededPatient } from './seed.js';
import type { HavenTarget } from './servers.js';

/** Passes the password policy (12+ characters, not a common password); synthetic, bench only. */
const PASSWORD = 'violet harbour lantern 42';

export interface Clinician {
  practitionerId: string;
  /** The `Cookie` header of the signed-in session (GETs need no CSRF token). */
  cookie: string;
}

/**
 * Creates the Practitioner and one CareTeam per patient through the API client, then the
 * physician, and signs in. Checks that the physician reads every seeded patient with 200 and
 * the same bytes as the API client (`bodies`), so the measured run is all allowed reads.
 */
export async function prepareClinician(
  target: HavenTarget,
  patients: readonly SeededPatient[],
  bodies: ReadonlyMap<string, Buffer>,
): Promise<Clinician> {
  const practitionerId = await seedCareTeams(target, patients);
  const email = `bench-physician-${crypto.randomBytes(6).toString('hex')}@clinic.example`;
  const enrollmentToken = await target.addUser({ email, role: 'physician', practitionerId });
  const cookie = await signIn(target, email, enrollmentToken);
  await checkReads(target, cookie, bodies);
  return { practitionerId, cookie };
}

async function seedCareTeams(
  target: HavenTarget,
  patients: readonly SeededPatient[],
): Promise<string> {
  const client = makeClient(target.url, target.ca, target.token);
  try {
    const r = await client.send('POST', '/fhir/R4/Practitioner', {
      resourceType: 'Practitioner',
      active: true,
      name: [{ family: 'Bench', given: ['Physician'] }],
    });
    const practitionerId = (JSON.parse(r.body.toString('utf8')) as { id?: string }).id;
    if (r.status !== 201 || !practitionerId)
      throw new Error(`Practitioner create failed: ${r.status} ${r.body.toString('utf8')}`);
    for (let start = 0; start < patients.length; start += 100) {
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: patients.slice(start, start + 100).map((p) => ({
          fullUrl: `urn:uuid:${crypto.randomUUID()}`,
          resource: {
            resourceType: 'CareTeam',
            status: 'active',
            subject: { reference: `Patient/${p.id}` },
            participant: [{ member: { reference: `Practitioner/${practitionerId}` } }],
          },
          request: { method: 'POST', url: 'CareTeam' },
        })),
      };
      const t = await client.send('POST', '/fhir/R4', bundle);
      if (t.status !== 200)
        throw new Error(
          `CareTeam transaction failed: ${t.status} ${t.body.toString('utf8').slice(0, 300)}`,
        );
    }
    return practitionerId;
  } finally {
    client.close();
  }
}

/**
 * Enrollment link → password → TOTP set-up and confirmation. Confirming the first code counts as
 * the second factor of this session (Haven marks it and rotates the id), so one TOTP step is
 * spent and the sign-in needs no second code.
 */
async function signIn(target: HavenTarget, email: string, enrollmentToken: string) {
  const client = makeClient(target.url, target.ca, null);
  const jar: { session?: string; csrf?: string } = {};
  const call = async (path: string, body: unknown, expect: number): Promise<Reply> => {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      origin: new URL(target.url).origin,
      ...(jar.session ? { cookie: `__Host-haven_session=${jar.session}` } : {}),
      ...(jar.csrf ? { 'x-csrf-token': jar.csrf } : {}),
    };
    const r = await client.send('POST', path, body, headers);
    if (r.status !== expect)
      throw new Error(`POST ${path}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    absorbCookies(jar, r.headers);
    return r;
  };
  try {
    await call('/api/enroll', { token: enrollmentToken, password: PASSWORD }, 204);
    await call('/api/login', { email, password: PASSWORD }, 200);
    const setup = await call('/api/mfa/totp/setup', {}, 200);
    const { secret } = JSON.parse(setup.body.toString('utf8')) as { secret: string };
    await call('/api/mfa/totp/confirm', { code: totp.totpCodeAt(secret, new Date(), 6) }, 200);
    if (!jar.session) throw new Error('sign-in left no session cookie');
    return `__Host-haven_session=${jar.session}`;
  } finally {
    client.close();
  }
}

function absorbCookies(jar: { session?: string; csrf?: string }, h: IncomingHttpHeaders): void {
  for (const line of h['set-cookie'] ?? []) {
    const m = /^__Host-haven_(session|csrf)=([^;]*)/.exec(line);
    if (m) jar[m[1] as 'session' | 'csrf'] = m[2]!;
  }
}

async function checkReads(
  target: HavenTarget,
  cookie: string,
  bodies: ReadonlyMap<string, Buffer>,
): Promise<void> {
  const client = makeClient(target.url, target.ca, null);
  try {
    const paths = [...bodies.keys()];
    for (let i = 0; i < paths.length; i += 16) {
      await Promise.all(
        paths.slice(i, i + 16).map(async (p) => {
          const r = await client.send('GET', p, undefined, { cookie });
          if (r.status !== 200 || !r.body.equals(bodies.get(p)!))
            throw new Error(
              `the physician's read of ${p} was ${r.status}${r.status === 200 ? ' with other bytes than the API client got' : ''}`,
            );
        }),
      );
    }
  } finally {
    client.close();
  }
}
