import { totpCodeAt } from '../../../src/auth/totp/totp-core.js';
import type { TestResponse, TestServer } from '../../support/haven-server.js';

/** A controllable clock for startTestServer({ clock }): it reaches sessions, users and audit. */
export class TestClock {
  now = new Date('2031-05-06T07:00:00.000Z');
  readonly fn = (): Date => this.now;
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export const MINUTE = 60_000;

/** Session and CSRF cookies as a browser would hold them. */
export interface Jar {
  session?: string;
  csrf?: string;
}

let counter = 0;
export const STAFF_PASSWORD = 'violet harbour lantern 42';

export interface TestUser {
  userId: string;
  email: string;
  password: string;
  totpSecret?: string;
}

/**
 * A user created in-process (addUser + enroll), optionally with TOTP enrolled from the secret,
 * exactly as `haven user add` and the web app's enrolment would leave it.
 */
export async function createUser(
  t: TestServer,
  clock: TestClock,
  o: { totp?: boolean; roles?: string[]; patientId?: string; practitionerId?: string } = {},
): Promise<TestUser> {
  counter += 1;
  const email = `signin-${counter}-${Date.now().toString(36)}@clinic.example`;
  const users = t.haven.people.users;
  const added = await users.addUser({
    email,
    roles: o.roles ?? ['nurse'],
    ...(o.patientId && { patientId: o.patientId }),
    ...(o.practitionerId && { practitionerId: o.practitionerId }),
  });
  await users.enroll(added.enrollmentToken, STAFF_PASSWORD);
  const user: TestUser = { userId: added.userId, email, password: STAFF_PASSWORD };
  if (o.totp) {
    const { secret } = await users.beginTotpEnrollment(added.userId);
    const confirmed = await users.confirmTotp(added.userId, totpCodeAt(secret, clock.now, 6));
    if (!confirmed.ok) throw new Error('TOTP confirmation failed');
    user.totpSecret = secret;
    // The confirming code's step is spent; move on so the next code is a fresh one.
    clock.advance(MINUTE);
  }
  return user;
}

export function totpNow(secret: string, clock: TestClock): string {
  return totpCodeAt(secret, clock.now, 6);
}

/** Updates the jar from Set-Cookie headers (a cleared cookie removes the entry). */
export function absorbCookies(jar: Jar, res: TestResponse): void {
  const raw = res.headers['set-cookie'];
  for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
    const m = /^(__Host-haven_(session|csrf))=([^;]*)/.exec(line);
    if (!m) continue;
    const key = m[2] === 'session' ? 'session' : 'csrf';
    if (m[3]) jar[key] = m[3];
    else delete jar[key];
  }
}

export interface ApiCall {
  body?: unknown;
  jar?: Jar;
  /** Send X-CSRF-Token from the jar (default true when a jar is given). */
  csrf?: boolean | string;
  origin?: string | null;
  headers?: Record<string, string>;
}

/** Every response body seen, for the no-email, no-password checks. */
export const seenBodies: { path: string; text: string }[] = [];

/** A browser-like call to the session API: JSON, cookies, CSRF header, same Origin. */
export async function api(
  t: TestServer,
  method: string,
  path: string,
  c: ApiCall = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  if (c.origin !== null) headers.origin = c.origin ?? new URL(t.server.url).origin;
  if (c.jar?.session) headers.cookie = `__Host-haven_session=${c.jar.session}`;
  const csrf = c.csrf ?? c.jar !== undefined;
  if (csrf === true && c.jar?.csrf) headers['x-csrf-token'] = c.jar.csrf;
  if (typeof csrf === 'string') headers['x-csrf-token'] = csrf;
  const res = await t.request(method, path, {
    token: null,
    ...(c.body === undefined ? {} : { body: c.body }),
    headers: { ...headers, ...c.headers },
  });
  seenBodies.push({ path, text: res.text });
  if (c.jar) absorbCookies(c.jar, res);
  return res;
}

/** Password step; returns the jar holding the (MFA-pending) session. */
export async function loginPassword(t: TestServer, user: TestUser): Promise<Jar> {
  const jar: Jar = {};
  const res = await api(t, 'POST', '/api/login', {
    body: { email: user.email, password: user.password },
    jar,
    csrf: false,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return jar;
}

/** Password and TOTP: a fully signed-in session. */
export async function signIn(t: TestServer, clock: TestClock, user: TestUser): Promise<Jar> {
  const jar = await loginPassword(t, user);
  const res = await api(t, 'POST', '/api/login/totp', {
    body: { code: totpNow(user.totpSecret!, clock) },
    jar,
  });
  if (res.status !== 200) throw new Error(`TOTP failed: ${res.status} ${res.text}`);
  // Each login spends a step; the next one needs a fresh code.
  clock.advance(MINUTE);
  return jar;
}
