import type { AuditDraft } from '../audit/index.js';
import type { EmailSender, SmsSender } from './channels.js';
import { checkNotice, PhiInNotificationError } from './phi-guard.js';
import { renderNotice, type NotificationTemplate } from './templates.js';

/** Where a person can be told: their account's email, and a phone for SMS when they gave one. */
export interface Contact {
  userId: string;
  email?: string;
  phone?: string;
}

export interface NotifierOptions {
  /** The public base URL of Haven: the sign-in link. */
  baseUrl: string;
  email?: EmailSender;
  sms?: SmsSender;
  /** The audit port (append): one entry per notice sent or refused. */
  audit: (...drafts: AuditDraft[]) => Promise<void>;
  /** The accounts to reach for a user id (messaging) or a patient (scheduling). */
  contactOfUser: (userId: string) => Promise<Contact | undefined>;
}

export interface NoticeRequest {
  template: NotificationTemplate;
  to: Contact;
  /** Values from the patient's record that must not be in the text (see checkNotice). */
  recordTerms: readonly string[];
  /** For the audit entry: the patient and resource the notice is about, ids only. */
  patientId?: string;
  resource?: { type: string; id: string };
}

/**
 * Sends the fixed PHI-free notices (ADR 0026). Every notice passes `checkNotice` first; a refused
 * one is audited as `notification-refused` and thrown, and nothing leaves. A sent one is audited
 * as `notification-send` with its template and channels (never the address or the text).
 */
export class Notifier {
  constructor(private readonly o: NotifierOptions) {}

  async notify(r: NoticeRequest): Promise<{ channels: string[] }> {
    const notice = renderNotice(r.template, this.o.baseUrl);
    const base: Omit<AuditDraft, 'action' | 'outcome'> = {
      actorType: 'system',
      actorId: null,
      ...(r.patientId !== undefined && { patientId: r.patientId }),
      ...(r.resource && { resourceType: r.resource.type, resourceId: r.resource.id }),
    };
    try {
      checkNotice(notice, this.o.baseUrl, r.recordTerms);
    } catch (e) {
      if (e instanceof PhiInNotificationError)
        await this.o.audit({
          ...base,
          action: 'notification-refused',
          outcome: 'denied',
          detail: { template: r.template, reason: e.why },
        });
      throw e;
    }
    const channels: string[] = [];
    if (this.o.email && r.to.email) {
      await this.o.email.send({ to: r.to.email, subject: notice.subject, text: notice.text });
      channels.push('email');
    }
    if (this.o.sms && r.to.phone) {
      await this.o.sms.send(r.to.phone, notice.text);
      channels.push('sms');
    }
    await this.o.audit({
      ...base,
      action: 'notification-send',
      outcome: 'success',
      detail: { template: r.template, channels, recipient: r.to.userId },
    });
    return { channels };
  }

  /**
   * For messaging: tell a person that a message waits. Its port `notifyNewMessage(recipientUserId)`
   * is wired here at merge. The text is fixed, so there is no record data to check beyond the
   * template rule; an unknown or disabled account gets nothing.
   */
  async notifyNewMessage(recipientUserId: string): Promise<void> {
    const to = await this.o.contactOfUser(recipientUserId);
    if (!to) return;
    await this.notify({ template: 'new-message', to, recordTerms: [] });
  }
}
