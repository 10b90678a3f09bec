import WebSocket from 'ws';
import { createUser, MINUTE, signIn, type Jar, type TestClock } from '../../http/auth/sign-in.js';
import type { TestServer } from '../../support/haven-server.js';

/** A booked appointment between one patient and one clinician, both able to sign in. */
export interface VisitFixture {
  appointmentId: string;
  patientId: string;
  practitionerId: string;
  patient: Jar;
  clinician: Jar;
  /** Another patient of the clinic: a valid session, but not in this appointment. */
  stranger: Jar;
  /** A clinician who is not a participant. */
  otherClinician: Jar;
}

async function created(t: TestServer, type: string, body: object): Promise<string> {
  const res = await t.request('POST', `/fhir/R4/${type}`, { body });
  if (res.status !== 201) throw new Error(`creating ${type} failed: ${res.status} ${res.text}`);
  return String(res.json().id);
}

export async function appointment(
  t: TestServer,
  patientId: string,
  practitionerId: string,
  start: Date,
  minutes = 20,
): Promise<string> {
  return created(t, 'Appointment', {
    resourceType: 'Appointment',
    status: 'booked',
    start: start.toISOString(),
    end: new Date(start.getTime() + minutes * MINUTE).toISOString(),
    participant: [
      { actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${practitionerId}` }, status: 'accepted' },
    ],
  });
}

/** Everything as the scheduling helper's booking would leave it (shared-contracts.md). */
export async function visitFixture(
  t: TestServer,
  clock: TestClock,
  startsInMinutes = 10,
): Promise<VisitFixture> {
  const patientId = await created(t, 'Patient', {
    resourceType: 'Patient',
    name: [{ family: 'Visitpatient', given: ['Synthetic'] }],
  });
  const strangerPatientId = await created(t, 'Patient', {
    resourceType: 'Patient',
    name: [{ family: 'Otherpatient', given: ['Synthetic'] }],
  });
  const practitionerId = await created(t, 'Practitioner', {
    resourceType: 'Practitioner',
    name: [{ family: 'Visitdoctor', given: ['Synthetic'] }],
  });
  const otherPractitionerId = await created(t, 'Practitioner', {
    resourceType: 'Practitioner',
    name: [{ family: 'Otherdoctor', given: ['Synthetic'] }],
  });
  const appointmentId = await appointment(
    t,
    patientId,
    practitionerId,
    new Date(clock.now.getTime() + startsInMinutes * MINUTE),
  );
  const person = async (o: { roles: string[]; patientId?: string; practitionerId?: string }) =>
    signIn(t, clock, await createUser(t, clock, { totp: true, ...o }));
  return {
    appointmentId,
    patientId,
    practitionerId,
    patient: await person({ roles: ['patient'], patientId }),
    clinician: await person({ roles: ['physician'], practitionerId }),
    stranger: await person({ roles: ['patient'], patientId: strangerPatientId }),
    otherClinician: await person({ roles: ['physician'], practitionerId: otherPractitionerId }),
  };
}

export interface VisitClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** Resolves with the first message (already received or coming) that matches. */
  next(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  send(m: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens the signaling socket as a browser would: session cookie, Origin of the server. */
export function openVisitSocket(
  t: TestServer,
  room: string,
  o: { jar?: Jar; origin?: string | null; base?: string } = {},
): Promise<VisitClient> {
  const base = new URL(o.base ?? t.server.url);
  const headers: Record<string, string> = {};
  if (o.origin !== null) headers.origin = o.origin ?? base.origin;
  if (o.jar?.session) headers.cookie = `__Host-haven_session=${o.jar.session}`;
  const url = `wss://${base.host}/api/visits/${encodeURIComponent(room)}/signal`;
  const ws = new WebSocket(url, { ca: t.ca, headers });
  const messages: Record<string, unknown>[] = [];
  const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: never) => void }[] =
    [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    messages.push(m);
    for (const w of [...waiters])
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m as never);
      }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new RefusedUpgrade(res.statusCode ?? 0, body)));
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
        next: (match) => {
          const seen = messages.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((r) => waiters.push({ match, resolve: r as (m: never) => void }));
        },
      }),
    );
  });
}

export class RefusedUpgrade extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status}`);
  }
}

export async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RefusedUpgrade) {
      const code = (JSON.parse(e.body) as { error?: { code?: string } }).error?.code ?? '';
      return { status: e.status, code };
    }
    throw e;
  }
  throw new Error('the upgrade was accepted');
}
