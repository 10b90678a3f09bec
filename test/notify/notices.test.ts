import { describe, expect, it } from 'vitest';
import {
  checkNotice,
  Notifier,
  PhiInNotificationError,
  recordTermsOf,
  RecordingSmsSender,
  renderNotice,
  TEMPLATE_NAMES,
  type EmailSender,
  type OutgoingEmail,
} from '../../src/notify/index.js';
import type { AuditDraft } from '../../src/audit/index.js';
import { canaryNote, canaryPatient, canarySecrets, CANARY_PATTERN } from '../support/canary.js';

const BASE = 'https://haven.example';

const appointment = {
  resourceType: 'Appointment',
  status: 'booked',
  start: '2031-05-08T14:30:00Z',
  end: '2031-05-08T15:00:00Z',
  reasonCode: [{ text: canaryNote(4) }],
  participant: [
    { actor: { reference: 'Patient/p4', display: 'Zebedee4 Canarywing4' }, status: 'accepted' },
    { actor: { reference: 'Practitioner/d1', display: 'Drusilla Slotwright' }, status: 'accepted' },
  ],
};
const terms = [...recordTermsOf(canaryPatient(4)), ...recordTermsOf(appointment)];

class Outbox implements EmailSender {
  readonly sent: OutgoingEmail[] = [];
  send(m: OutgoingEmail): Promise<void> {
    this.sent.push(m);
    return Promise.resolve();
  }
}

function notifier(baseUrl = BASE) {
  const email = new Outbox();
  const sms = new RecordingSmsSender();
  const audit: AuditDraft[] = [];
  const n = new Notifier({
    baseUrl,
    email,
    sms,
    audit: (...d) => {
      audit.push(...d);
      return Promise.resolve();
    },
    contactOfUser: (id) =>
      Promise.resolve(id === 'u1' ? { userId: 'u1', email: 'person@clinic.example' } : undefined),
  });
  return { n, email, sms, audit };
}

/** Issue 16 part 5: fixed texts, a sign-in link, and a check that stops record data. */
describe('PHI-free notifications', () => {
  it('renders every template as fixed text and a sign-in link, passing the check', () => {
    for (const name of TEMPLATE_NAMES) {
      const notice = renderNotice(name, BASE);
      expect(notice.text).toContain(`${BASE}/`);
      expect(notice.text).not.toMatch(CANARY_PATTERN);
      expect(() => checkNotice(notice, BASE, terms)).not.toThrow();
    }
  });

  it('collects the record values the check looks for, not the shared codes', () => {
    expect(terms).toEqual(expect.arrayContaining([...canarySecrets(4), '2031-05-08T14:30:00Z']));
    expect(terms).toContain('Drusilla Slotwright');
    expect(terms).not.toContain('booked');
    expect(terms).not.toContain('Appointment');
  });

  it('refuses a text that is not its template, whatever it adds', () => {
    for (const extra of [canarySecrets(4)[0]!, 'at 14:30', 'with Drusilla Slotwright']) {
      const notice = renderNotice('appointment-booked', BASE);
      const changed = { ...notice, text: `${notice.text} ${extra}` };
      expect(() => checkNotice(changed, BASE, terms)).toThrow(PhiInNotificationError);
    }
  });

  it('refuses canary PHI that reached the link, in any of its written forms', async () => {
    // A base URL that (misconfigured, or attacked) carries a name, an MRN, a birth date or a time.
    const leaky = [
      `${BASE}/zebedee4`,
      `${BASE}/?mrn=CANARY-MRN-4`,
      `${BASE}/born/05/14/1911`,
      `${BASE}/at/14:30`,
      `${BASE}/ssn/999771004`,
    ];
    for (const base of leaky) {
      const { n, email, sms, audit } = notifier(base);
      await expect(
        n.notify({
          template: 'appointment-reminder',
          to: { userId: 'u1', email: 'person@clinic.example', phone: '+15550100' },
          recordTerms: terms,
          patientId: 'p4',
        }),
        base,
      ).rejects.toThrow(PhiInNotificationError);
      expect(email.sent, base).toHaveLength(0);
      expect(sms.sent, base).toHaveLength(0);
      expect(
        audit.map((d) => [d.action, d.outcome]),
        base,
      ).toEqual([['notification-refused', 'denied']]);
    }
  });

  it('sends a clean notice by email and SMS, and audits it without the address', async () => {
    const { n, email, sms, audit } = notifier();
    const r = await n.notify({
      template: 'appointment-booked',
      to: { userId: 'u1', email: 'person@clinic.example', phone: '+15550100' },
      recordTerms: terms,
      patientId: 'p4',
      resource: { type: 'Appointment', id: 'a1' },
    });
    expect(r.channels).toEqual(['email', 'sms']);
    expect(email.sent[0]).toMatchObject({
      to: 'person@clinic.example',
      subject: 'You have a new appointment',
    });
    expect(sms.sent[0]!.text).toBe(email.sent[0]!.text);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'notification-send',
      patientId: 'p4',
      resourceId: 'a1',
    });
    expect(JSON.stringify(audit)).not.toContain('person@clinic.example');
    expect(JSON.stringify(audit)).not.toContain('+15550100');
  });

  it('tells a messaging recipient by user id, and nobody for an unknown account', async () => {
    const { n, email } = notifier();
    await n.notifyNewMessage('u1');
    await n.notifyNewMessage('nobody');
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0]!.subject).toBe('You have a new message');
  });
});
