import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_PATTERN } from '../support/canary.js';
import { ENGINES } from '../support/engines.js';
import {
  DOC_NAME,
  publishSlot,
  schedulingClinic,
  startSmtp,
  type Received,
  type SchedulingClinic,
} from './scheduling-harness.js';

/**
 * Issue 16 part 1 on both engines: availability, booking without double booking, reschedule and
 * cancel rules, the care relation a booking creates and a cancellation ends, and the PHI-free
 * emails a real SMTP server receives.
 */
describe.each(ENGINES)('scheduling on %s', (engine) => {
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

  const book = (slotId: string, patientId = 'pat-1') =>
    c.call(c.scheduler, 'POST', '/api/scheduling/appointments', { slotId, patientId });
  const docSeesPatient = async (patientId: string) =>
    (await c.call(c.doc, 'GET', `/fhir/R4/Patient/${patientId}`)).status;

  it('lets a scheduler publish slots, the clinician only their own, a patient none', async () => {
    const start = new Date(c.clock.now.getTime() + 50 * 3_600_000).toISOString();
    const end = new Date(c.clock.now.getTime() + 50.5 * 3_600_000).toISOString();
    const own = await c.call(c.doc, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-1',
      slots: [{ start, end }],
    });
    expect(own.status).toBe(201);
    const others = await c.call(c.doc, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-2',
      slots: [{ start, end }],
    });
    expect(others.status).toBe(403);
    expect(others.json().error).toMatchObject({ code: 'not-your-schedule' });
    const patient = await c.call(c.patient, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-1',
      slots: [{ start, end }],
    });
    expect(patient.status).toBe(403);
    // The same time again overlaps what is published.
    const overlap = await c.call(c.scheduler, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-1',
      slots: [{ start, end }],
    });
    expect(overlap.status).toBe(409);
    // A time without an offset is refused (instants only).
    const floating = await c.call(c.scheduler, 'POST', '/api/scheduling/slots', {
      practitionerId: 'doc-1',
      slots: [{ start: '2031-05-09T09:00:00', end: '2031-05-09T09:30:00' }],
    });
    expect(floating.status).toBe(400);
  });

  it('books one slot once: of 20 parallel bookings exactly one gets 201', async () => {
    const slotId = await publishSlot(c, 'doc-2', 30);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => book(slotId, i % 2 === 0 ? 'pat-1' : 'pat-2')),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of answers.filter((a) => a.status === 409))
      expect(r.json().error).toMatchObject({ code: 'slot-taken' });
    const week = await c.call(
      c.scheduler,
      'GET',
      `/api/scheduling/calendar?practitionerId=doc-2&week=${c.clock.now.toISOString().slice(0, 10)}`,
    );
    expect(week.status).toBe(200);
    const booked = (week.json().appointments as { slotId: string; status: string }[]).filter(
      (a) => a.slotId === slotId,
    );
    expect(booked).toHaveLength(1);
    const slot = (week.json().slots as { id: string; status: string }[]).find(
      (s) => s.id === slotId,
    );
    expect(slot?.status).toBe('busy');
    const rows = await c.t.haven.database.db
      .selectFrom('slot_reservations')
      .selectAll()
      .where('slot_id', '=', slotId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('creates the care relation on booking and ends it on cancel, unless another holds', async () => {
    expect(await docSeesPatient('pat-2')).toBe(404);
    const first = await book(await publishSlot(c, 'doc-1', 70));
    const a = await book(await publishSlot(c, 'doc-1', 72), 'pat-2');
    const b = await book(await publishSlot(c, 'doc-1', 74), 'pat-2');
    expect([first.status, a.status, b.status]).toEqual([201, 201, 201]);
    expect(await docSeesPatient('pat-2')).toBe(200);
    const idA = (a.json().appointment as { id: string }).id;
    const idB = (b.json().appointment as { id: string }).id;
    expect(
      (await c.call(c.scheduler, 'POST', `/api/scheduling/appointments/${idA}/cancel`)).status,
    ).toBe(200);
    expect(await docSeesPatient('pat-2')).toBe(200); // appointment B still relates them
    expect(
      (await c.call(c.scheduler, 'POST', `/api/scheduling/appointments/${idB}/cancel`)).status,
    ).toBe(200);
    expect(await docSeesPatient('pat-2')).toBe(404);
  });

  it('reschedules and cancels only booked, future appointments, by those allowed', async () => {
    const slot1 = await publishSlot(c, 'doc-1', 90);
    const slot2 = await publishSlot(c, 'doc-1', 92);
    const taken = await publishSlot(c, 'doc-1', 94);
    expect((await book(taken, 'pat-2')).status).toBe(201);
    const booked = await book(slot1);
    const id = (booked.json().appointment as { id: string }).id;
    const path = `/api/scheduling/appointments/${id}`;
    // Into a booked slot: refused, nothing moves.
    const clash = await c.call(c.scheduler, 'POST', `${path}/reschedule`, { slotId: taken });
    expect(clash.status).toBe(409);
    // The patient may see, not move or cancel.
    expect((await c.call(c.patient, 'POST', `${path}/cancel`)).status).toBe(403);
    const moved = await c.call(c.scheduler, 'POST', `${path}/reschedule`, { slotId: slot2 });
    expect(moved.status).toBe(200);
    expect(moved.json().appointment).toMatchObject({ slotId: slot2, status: 'booked' });
    // The old slot is free again: another patient can have it.
    expect((await book(slot1, 'pat-2')).status).toBe(201);
    expect((await c.call(c.scheduler, 'POST', `${path}/cancel`)).status).toBe(200);
    const again = await c.call(c.scheduler, 'POST', `${path}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'not-booked' });
    // An appointment that has begun cannot be changed.
    // (Six minutes ahead: the clock moves less than the sessions' 15-minute idle limit.)
    const soon = await book(await publishSlot(c, 'doc-1', 0.1));
    const soonId = (soon.json().appointment as { id: string }).id;
    c.clock.advance(7 * 60_000);
    const late = await c.call(c.scheduler, 'POST', `/api/scheduling/appointments/${soonId}/cancel`);
    expect(late.status).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'appointment-past' });
  });

  it("shows a patient their own upcoming appointments and nobody else's", async () => {
    const mine = await c.call(c.patient, 'GET', '/api/scheduling/my-appointments');
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toContain('no-store');
    const list = mine.json().appointments as { patientId: string; practitionerName: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const a of list) expect(a.patientId).toBe('pat-1');
    expect(list.map((a) => a.practitionerName)).toContain(DOC_NAME);
    const staff = await c.call(c.scheduler, 'GET', '/api/scheduling/my-appointments');
    expect(staff.status).toBe(403);
  });

  it('emails the patient that something changed, with no canary PHI, time or clinician', async () => {
    const toPatient = mail.inbox.filter((m) => m.to.includes(c.patient.user.email));
    const subjects = toPatient.map((m) => /^Subject: (.*)$/m.exec(m.data)?.[1]);
    expect(subjects).toContain('You have a new appointment');
    expect(subjects).toContain('An appointment has changed');
    for (const m of mail.inbox) {
      const body = m.data.replace(/^(To|From|Message-ID|Date):.*$/gm, '');
      expect(body).not.toMatch(CANARY_PATTERN);
      expect(body).not.toContain('Slotwright');
      expect(body).not.toContain('Otherhour');
      expect(body).not.toMatch(/2031-05|\d{1,2}:\d{2}/);
    }
    // Patient 2 has no account: nobody was emailed for them.
    expect(mail.inbox.every((m) => m.to.every((to) => to.endsWith('@clinic.example')))).toBe(true);
  });
});
