import type { HavenConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { Notifier, SmtpEmailSender, type SmsSender } from '../notify/index.js';
import type { RecordDeps } from '../records/index.js';
import { SchedulingRepository, type Database } from '../store/index.js';
import { ReminderSweep, SchedulingService } from '../telehealth/index.js';
import type { AuditRecorder } from '../audit/index.js';
import type { People } from './people.js';

/** Appointments, their PHI-free notices and the reminder sweep (ADR 0026). */
export interface Scheduling {
  service: SchedulingService;
  sweep: ReminderSweep;
  /** The notices; messaging calls `notifier.notifyNewMessage(recipientUserId)`. */
  notifier: Notifier;
  /** The clinic's zone for the calendar (HAVEN_CLINIC_TIME_ZONE). */
  timeZone: string;
  /** Stops the sweep's interval timer. */
  stop(): void;
}

/** How often the server looks for due reminders; each run is cheap when none are due. */
const SWEEP_INTERVAL_MS = 60_000;

export function assembleScheduling(o: {
  config: HavenConfig;
  database: Database;
  records: RecordDeps;
  audit: AuditRecorder;
  people: People;
  logger: Logger;
  publicBase: string;
  sms?: SmsSender;
}): Scheduling {
  const notifier = new Notifier({
    baseUrl: o.publicBase,
    ...(o.config.smtpUrl && { email: new SmtpEmailSender(o.config.smtpUrl, o.config.smtpFrom) }),
    ...(o.sms && { sms: o.sms }),
    audit: (...drafts) => o.audit.append(...drafts),
    contactOfUser: (id) => o.people.users.contactOf(id),
  });
  const notices = {
    notifier,
    contactsOfPatient: (id: string) => o.people.users.contactsOfPatient(id),
    // By code only: an address or a text in the log would be the leak the notices avoid.
    onNoticeError: (code: string) =>
      o.logger.warn({ event: 'notification-failed', code }, 'a notification was not sent'),
  };
  const reminderLeadMs = o.config.reminderLeadHours * 3_600_000;
  const service = new SchedulingService({ records: o.records, reminderLeadMs, ...notices });
  const sweep = new ReminderSweep({
    records: o.records,
    scheduling: new SchedulingRepository(o.database.db),
    reminderLeadMs,
    ...notices,
  });
  const timer = setInterval(() => {
    sweep
      .run()
      .catch((e: unknown) =>
        o.logger.warn(
          { event: 'reminder-sweep-failed', code: (e as { code?: string }).code ?? 'error' },
          'the reminder sweep failed; it runs again in a minute',
        ),
      );
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    service,
    sweep,
    notifier,
    timeZone: o.config.clinicTimeZone,
    stop: () => clearInterval(timer),
  };
}
