import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { canaryPatient } from '../support/canary.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  api,
  createUser,
  signIn,
  TestClock,
  type Jar,
  type TestUser,
} from '../http/auth/sign-in.js';

export interface Received {
  to: string[];
  data: string;
}

export interface Person {
  user: TestUser;
  jar: Jar;
}

/** A real SMTP server on a loopback port that keeps what it receives. */
export async function startSmtp(): Promise<{ smtp: SMTPServer; port: number; inbox: Received[] }> {
  const inbox: Received[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return { smtp, port: (smtp.server.address() as AddressInfo).port, inbox };
}

export const DOC_NAME = 'Drusilla Slotwright';
export const OTHER_DOC_NAME = 'Oswin Otherhour';

/**
 * A clinic for the scheduling tests: two practitioners, canary patients 1 and 2 (PUT through the
 * integration token), and signed-in people: a scheduler, the doctor (linked to her Practitioner),
 * and patient 1's own account (whose email receives the notices).
 */
export async function schedulingClinic(engine: 'sqlite' | 'postgres', smtpPort: number) {
  const clock = new TestClock();
  const t = await startTestServer(engine, {
    clock: clock.fn,
    env: { HAVEN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, HAVEN_SMTP_FROM: 'haven@haven.example' },
  });
  const put = async (type: string, id: string, body: Record<string, unknown>) => {
    const res = await t.request('PUT', `/fhir/R4/${type}/${id}`, {
      body: { ...body, resourceType: type, id },
    });
    if (res.status !== 201) throw new Error(`PUT ${type} failed: ${res.status} ${res.text}`);
  };
  const [given, family] = DOC_NAME.split(' ');
  await put('Practitioner', 'doc-1', { name: [{ given: [given], family }] });
  const [g2, f2] = OTHER_DOC_NAME.split(' ');
  await put('Practitioner', 'doc-2', { name: [{ given: [g2], family: f2 }] });
  await put('Patient', 'pat-1', canaryPatient(1));
  await put('Patient', 'pat-2', canaryPatient(2));
  const person = async (o: Parameters<typeof createUser>[2]): Promise<Person> => {
    const user = await createUser(t, clock, { totp: true, ...o });
    return { user, jar: await signIn(t, clock, user) };
  };
  const scheduler = await person({ roles: ['scheduler'] });
  const doc = await person({ roles: ['physician'], practitionerId: 'doc-1' });
  const otherDoc = await person({ roles: ['physician'], practitionerId: 'doc-2' });
  const patient = await person({ roles: ['patient'], patientId: 'pat-1' });
  const call = (who: Person, method: string, path: string, body?: unknown) =>
    api(t, method, path, { jar: who.jar, ...(body !== undefined && { body }) });
  return { t, clock, scheduler, doc, otherDoc, patient, call };
}

export type SchedulingClinic = Awaited<ReturnType<typeof schedulingClinic>>;

/** Publishes one free slot for a practitioner, `hoursAhead` from the clinic clock, 30 minutes. */
export async function publishSlot(
  c: SchedulingClinic,
  practitionerId: string,
  hoursAhead: number,
): Promise<string> {
  const start = new Date(c.clock.now.getTime() + hoursAhead * 3_600_000);
  const end = new Date(start.getTime() + 30 * 60_000);
  const res = await c.call(c.scheduler, 'POST', '/api/scheduling/slots', {
    practitionerId,
    slots: [{ start: start.toISOString(), end: end.toISOString() }],
  });
  if (res.status !== 201) throw new Error(`publish failed: ${res.status} ${res.text}`);
  return String((res.json().slots as { id: string }[])[0]!.id);
}

export type { TestServer };
