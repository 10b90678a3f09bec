import { sql } from 'kysely';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchedulingRepository } from '../../src/store/index.js';
import { ReminderSweep } from '../../src/telehealth/index.js';
import { CANARY_PATTERN } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import {
  publishSlot,
  schedulingClinic,
  startSmtp,
  type Received,
  type SchedulingClinic,
} from './scheduling-harness.js';

/**
 * Reminders (sent once, whatever runs the sweep) and a booking whose database fails half-way
 * (nothing of it stays), on both engines.
 */
describe.each(ENGINES)('reminders and failures on %s', (engine) => {
  let mail: { smtp: SMTPServer; port: number; inbox: Received[] };
  let c: SchedulingClinic;

  beforeAll(async () => {
    mail = await startSmtp();
    c = await schedulingClinic(engine, mail.port);
  });
  afterAll(async () => {
    await c.t.stop();
    await new Promise<void>((resolve) => mail.smtp.close(() => resolve()));
  });

  const book = (slotId: string, patientId: string) =>
    c.call(c.scheduler, 'POST', '/api/scheduling/appointments', { slotId, patientId });

  it('fails closed when the database refuses the reservation: nothing of the booking stays', async () => {
    const slotId = await publishSlot(c, 'doc-2', 40);
    const db = c.t.haven.database.db;
    await sql
      .raw(
        engine === 'sqlite'
          ? `CREATE TRIGGER reservation_block BEFORE INSERT ON slot_reservations BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`
          : `CREATE TRIGGER reservation_block BEFORE INSERT ON slot_reservations FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
      )
      .execute(db);
    const failed = await book(slotId, 'pat-2');
    await sql
      .raw(
        engine === 'sqlite'
          ? 'DROP TRIGGER reservation_block'
          : 'DROP TRIGGER reservation_block ON slot_reservations',
      )
      .execute(db);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.text).not.toMatch(CANARY_PATTERN);
    // The Slot stayed free, no Appointment was written, no relation was made.
    const slot = await c.call(c.scheduler, 'GET', `/fhir/R4/Slot/${slotId}`);
    expect(slot.json().status).toBe('free');
    const appts = await c.call(c.scheduler, 'GET', `/fhir/R4/Appointment?slot=Slot/${slotId}`);
    expect((appts.json() as { total?: number }).total).toBe(0);
    expect((await c.call(c.otherDoc, 'GET', '/fhir/R4/Patient/pat-2')).status).toBe(404);
    // With the database back the same booking succeeds.
    expect((await book(slotId, 'pat-2')).status).toBe(201);
    expect((await c.call(c.otherDoc, 'GET', '/fhir/R4/Patient/pat-2')).status).toBe(200);
  });

  it('sends each due reminder once, with parallel sweeps from two processes', async () => {
    const kept = await book(await publishSlot(c, 'doc-1', 30), 'pat-1');
    const dropped = await book(await publishSlot(c, 'doc-1', 31), 'pat-1');
    expect([kept.status, dropped.status]).toEqual([201, 201]);
    const droppedId = (dropped.json().appointment as { id: string }).id;
    const cancel = await c.call(
      c.scheduler,
      'POST',
      `/api/scheduling/appointments/${droppedId}/cancel`,
    );
    expect(cancel.status).toBe(200);
    const haven = c.t.haven;
    const reminders = () =>
      mail.inbox.filter((m) => /^Subject: Appointment reminder$/m.test(m.data));
    // Not yet due (30 h ahead, 24 h lead): nothing is sent.
    expect((await haven.scheduling.sweep.run()).sent).toBe(0);
    expect(reminders()).toHaveLength(0);
    c.clock.advance(7 * 3_600_000);
    // A second server process: its own sweep over its own repository on the same database.
    const other = new ReminderSweep({
      records: haven.records,
      scheduling: new SchedulingRepository(haven.database.db),
      notifier: haven.scheduling.notifier,
      contactsOfPatient: (id) => haven.people.users.contactsOfPatient(id),
    });
    const runs = await Promise.all([
      haven.scheduling.sweep.run(),
      other.run(),
      haven.scheduling.sweep.run(),
      other.run(),
    ]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.to).toEqual([c.patient.user.email]);
    expect((await haven.scheduling.sweep.run()).sent).toBe(0);
    expect(reminders()).toHaveLength(1);
    const body = reminders()[0]!.data.replace(/^(To|From|Message-ID|Date):.*$/gm, '');
    expect(body).not.toMatch(CANARY_PATTERN);
    expect(body).not.toMatch(/Slotwright|\d{1,2}:\d{2}/);
    // The send is in the audit trail, by template and ids, without the address.
    const entries = await haven.auditRepo.entries(0, 1_000_000);
    const sent = entries.filter(
      (e) => e.action === 'notification-send' && String(e.detail).includes('appointment-reminder'),
    );
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent)).not.toContain(c.patient.user.email);
  });
});
