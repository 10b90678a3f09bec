import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestServer } from '../support/haven-server.js';
import { canaryPatient } from '../support/canary.js';
import {
  api,
  createUser,
  signIn,
  type Jar,
  type TestClock,
  type TestUser,
} from '../http/auth/sign-in.js';

export interface Mail {
  to: string[];
  data: string;
}

/** A real SMTP server on a loopback port that keeps what it receives. */
export async function startMailbox(): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

export interface Person {
  user: TestUser;
  jar: Jar;
}

export interface MessagingClinic {
  patientId: string;
  doc: string;
  nurse: string;
  stranger: string;
  people: { patient: Person; doc: Person; nurse: Person; stranger: Person; scheduler: Person };
}

async function created(t: TestServer, body: Record<string, unknown>): Promise<string> {
  const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
  if (res.status !== 201) throw new Error(`fixture create failed: ${res.status}`);
  return String(res.json().id);
}

/**
 * A canary patient with Dr Doc on their care team and Nurse Nurse by appointment; Dr Stranger
 * treats someone else. Each person signed in with TOTP, as the web app would be.
 */
export async function messagingClinic(
  t: TestServer,
  clock: TestClock,
  canary: number,
  patientBody: Record<string, unknown> = canaryPatient(canary),
): Promise<MessagingClinic> {
  const practitioner = (family: string) =>
    created(t, { resourceType: 'Practitioner', name: [{ family, given: ['Test'] }] });
  const doc = await practitioner('Doc');
  const nurse = await practitioner('Nurse');
  const stranger = await practitioner('Stranger');
  const patientId = await created(t, patientBody);
  const otherPatient = await created(t, canaryPatient(canary + 1));
  const subject = { reference: `Patient/${patientId}` };
  await created(t, {
    resourceType: 'CareTeam',
    status: 'active',
    subject,
    participant: [{ member: { reference: `Practitioner/${doc}` } }],
  });
  await created(t, {
    resourceType: 'Appointment',
    status: 'booked',
    start: '2031-05-07T09:00:00Z',
    end: '2031-05-07T09:20:00Z',
    participant: [
      { actor: subject, status: 'accepted' },
      { actor: { reference: `Practitioner/${nurse}` }, status: 'accepted' },
    ],
  });
  await created(t, {
    resourceType: 'CareTeam',
    status: 'active',
    subject: { reference: `Patient/${otherPatient}` },
    participant: [{ member: { reference: `Practitioner/${stranger}` } }],
  });
  const person = async (o: Parameters<typeof createUser>[2]): Promise<Person> => {
    const user = await createUser(t, clock, { totp: true, ...o });
    return { user, jar: await signIn(t, clock, user) };
  };
  return {
    patientId,
    doc,
    nurse,
    stranger,
    people: {
      patient: await person({ roles: ['patient'], patientId }),
      doc: await person({ roles: ['physician'], practitionerId: doc }),
      nurse: await person({ roles: ['nurse'], practitionerId: nurse }),
      stranger: await person({ roles: ['physician'], practitionerId: stranger }),
      scheduler: await person({ roles: ['scheduler'] }),
    },
  };
}

export interface ThreadBody {
  threadId: string;
  patient: string;
  subject: string;
  messages: {
    id: string;
    seq: number;
    sender: string;
    senderId: string;
    text: string;
    mine: boolean;
    attachment?: { binaryId: string; contentType: string; title: string; size: number };
    readBy: { reader: string; readerId: string; readAt: string }[];
  }[];
}

export interface InboxBody {
  unread: number;
  threads: {
    threadId: string;
    patient: string;
    subject: string;
    messages: number;
    unread: number;
  }[];
}

export const messagingApi = (t: TestServer) => ({
  start: (who: Person, body: Record<string, unknown>) =>
    api(t, 'POST', '/api/messages/threads', { jar: who.jar, body }),
  reply: (who: Person, threadId: string, body: Record<string, unknown>) =>
    api(t, 'POST', `/api/messages/threads/${threadId}/messages`, { jar: who.jar, body }),
  thread: (who: Person, threadId: string) =>
    api(t, 'GET', `/api/messages/threads/${threadId}`, { jar: who.jar }),
  inbox: async (who: Person): Promise<InboxBody> => {
    const res = await api(t, 'GET', '/api/messages/threads', { jar: who.jar });
    if (res.status !== 200) throw new Error(`inbox: ${res.status}`);
    return res.json() as unknown as InboxBody;
  },
  attachment: (who: Person, messageId: string) =>
    api(t, 'GET', `/api/messages/${messageId}/attachment`, { jar: who.jar }),
});
