import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import type { SignedIn } from './access/clinic.js';
import { PUBLIC_URL, signInWithTotp } from './auth/passkeys.js';
import { api, createUser, STAFF_PASSWORD, TestClock } from './auth/sign-in.js';

interface Received {
  from: string;
  to: string[];
  data: string;
}

const DISPLAY_NAME = 'Zebulon Quartermaine-Synthetic';
const PRACTITIONER = 'prac-synthetic-mail-3';

/**
 * With HAVEN_SMTP_URL, an approved account's enrollment link is emailed to the person, through a
 * real SMTP server started here (smtp-server on a loopback port). The email carries the link and
 * nothing else about the person: no name, no role, no Practitioner or Patient id.
 */
describe.each(ENGINES)('enrollment links by email on %s', (engine) => {
  let smtp: SMTPServer;
  let t: TestServer;
  const clock = new TestClock();
  const inbox: Received[] = [];
  const terminal: string[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    t = await startTestServer(engine, {
      clock: clock.fn,
      terminal: { write: (text: string) => terminal.push(text) },
      env: {
        HAVEN_PUBLIC_URL: PUBLIC_URL,
        HAVEN_SMTP_URL: `smtp://127.0.0.1:${port}`,
        HAVEN_SMTP_FROM: 'haven@haven.example',
      },
    });
    // A link is made only to a stored record (issue 13 item 10).
    const stored = await t.request('PUT', `/fhir/R4/Practitioner/${PRACTITIONER}`, {
      body: { resourceType: 'Practitioner', id: PRACTITIONER, name: [{ family: 'Syntheticdoc' }] },
    });
    expect(stored.status).toBe(201);
  });
  afterAll(async () => {
    await t.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const person = async (roles: string[]): Promise<SignedIn> => {
    const user = await createUser(t, clock, { totp: true, roles });
    return { user, jar: await signInWithTotp(t, clock, user) };
  };
  const post = async (who: SignedIn, path: string, body?: unknown) => {
    const origin = PUBLIC_URL;
    await api(t, 'POST', '/api/reauth', {
      jar: who.jar,
      origin,
      body: { password: who.user.password },
    });
    return api(t, 'POST', path, { jar: who.jar, origin, ...(body !== undefined && { body }) });
  };

  it('emails the link to the person once approved; nothing identifying in it', async () => {
    const email = `new.clinician.${engine}@clinic.example`;
    const alice = await person(['admin']);
    const bob = await person(['admin']);
    const req = await post(alice, '/api/admin/users', {
      email,
      roles: ['physician'],
      practitionerId: PRACTITIONER,
      displayName: DISPLAY_NAME,
    });
    expect(req.status).toBe(202);
    expect(inbox).toHaveLength(0);
    const { approvalId } = req.json() as { approvalId: string };
    const ok = await post(bob, `/api/admin/approvals/${approvalId}/approve`);
    expect(ok.status).toBe(200);

    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe('haven@haven.example');
    const token = new RegExp(`${PUBLIC_URL}/enroll#([A-Za-z0-9_-]{43})`).exec(mail.data)?.[1];
    expect(token).toBeDefined();
    expect(ok.text).not.toContain(token);
    expect(req.text).not.toContain(token);
    expect(terminal.join('')).not.toContain(token);
    // The body, outside the To header: no name, no role, no record link, no address.
    const body = mail.data.slice(mail.data.indexOf('\r\n\r\n'));
    for (const secret of [
      DISPLAY_NAME,
      'Zebulon',
      'Quartermaine',
      PRACTITIONER,
      'physician',
      email,
      'new.clinician',
    ]) {
      expect(body.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    const enroll = await api(t, 'POST', '/api/enroll', {
      body: { token, password: STAFF_PASSWORD },
      csrf: false,
      origin: PUBLIC_URL,
    });
    expect(enroll.status).toBe(204);
  });
});
