import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import {
  publishSlot,
  schedulingClinic,
  startSmtp,
  type Person,
  type Received,
  type SchedulingClinic,
} from './scheduling-harness.js';

type Json = Record<string, unknown> & { id: string };

/**
 * Paths around the reservation (issue 16, ADR 0026): the slot reservation is taken only by the
 * scheduling service, so through /fhir a person may not book (create or change an Appointment's
 * `slot`), nor write Schedule or Slot; an integration token may import, but an Appointment it
 * writes with a slot takes that slot's reservation in the same transaction. On both engines.
 */
describe.each(ENGINES)('booking only through the reservation on %s', (engine) => {
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
  const read = async (type: string, id: string) =>
    (await c.t.request('GET', `/fhir/R4/${type}/${id}`)).json() as Json;
  const reservations = async (slotId: string) =>
    c.t.haven.database.db
      .selectFrom('slot_reservations')
      .selectAll()
      .where('slot_id', '=', slotId)
      .execute();
  const deniedSince = async (from: number) =>
    (await c.t.haven.auditRepo.entries(from, 100_000)).filter(
      (r) => r.outcome === 'denied' && r.detail?.includes('booking-through-scheduling'),
    );
  const auditHead = async () => (await c.t.haven.auditRepo.head()).size;
  const appointment = (slotId: string, patientId = 'pat-1'): Record<string, unknown> => ({
    resourceType: 'Appointment',
    status: 'booked',
    start: '2031-06-02T09:00:00Z',
    end: '2031-06-02T09:30:00Z',
    slot: [{ reference: `Slot/${slotId}` }],
    participant: [
      { actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
      { actor: { reference: 'Practitioner/doc-1' }, status: 'accepted' },
    ],
  });

  it('refuses a person moving a booked appointment into another (reserved) slot, audited', async () => {
    const mine = await publishSlot(c, 'doc-1', 40);
    const other = await publishSlot(c, 'doc-1', 41);
    const booked = await book(mine);
    expect(booked.status).toBe(201);
    const id = (booked.json().appointment as { id: string }).id;
    const stored = await read('Appointment', id);
    const from = await auditHead();
    for (const who of [c.doc, c.scheduler] as Person[]) {
      const moved = await c.call(who, 'PUT', `/fhir/R4/Appointment/${id}`, {
        ...stored,
        slot: [{ reference: `Slot/${other}` }],
      });
      expect(moved.status).toBe(422);
      expect(moved.json().issue?.[0]).toMatchObject({ code: 'business-rule' });
    }
    expect(await deniedSince(from)).toHaveLength(2);
    // Nothing moved: the appointment keeps its slot, the other slot stays unreserved.
    expect((await read('Appointment', id)).slot).toEqual([{ reference: `Slot/${mine}` }]);
    expect(await reservations(other)).toHaveLength(0);
    // …and the other slot can still be booked through the scheduling API, once.
    expect((await book(other, 'pat-2')).status).toBe(201);
  });

  it('refuses a person creating an appointment with a slot by create, transaction or batch', async () => {
    const slot = await publishSlot(c, 'doc-1', 42);
    const from = await auditHead();
    const create = await c.call(c.doc, 'POST', '/fhir/R4/Appointment', appointment(slot));
    const entry = { resource: appointment(slot), request: { method: 'POST', url: 'Appointment' } };
    const tx = await c.call(c.doc, 'POST', '/fhir/R4', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [entry],
    });
    const batch = await c.call(c.doc, 'POST', '/fhir/R4', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [entry],
    });
    expect(create.status).toBe(422);
    expect(tx.status).toBe(422);
    expect(batch.status).toBe(200);
    const batchEntry = (batch.json().entry as { response: { status: string } }[])[0]!;
    expect(batchEntry.response.status).toMatch(/^422/);
    expect((await deniedSince(from)).length).toBeGreaterThanOrEqual(3);
    expect(await reservations(slot)).toHaveLength(0);
    expect((await book(slot)).status).toBe(201);
  });

  it("refuses a person flipping a Slot's status or writing a Schedule through /fhir", async () => {
    const slot = await publishSlot(c, 'doc-1', 43);
    expect((await book(slot)).status).toBe(201);
    const stored = await read('Slot', slot);
    const from = await auditHead();
    const freed = await c.call(c.doc, 'PUT', `/fhir/R4/Slot/${slot}`, {
      ...stored,
      status: 'free',
    });
    expect(freed.status).toBe(422);
    expect((await read('Slot', slot)).status).toBe('busy');
    const schedule = await c.call(c.doc, 'POST', '/fhir/R4/Schedule', {
      resourceType: 'Schedule',
      actor: [{ reference: 'Practitioner/doc-2' }],
    });
    expect([403, 422]).toContain(schedule.status);
    const deleted = await c.call(c.doc, 'DELETE', `/fhir/R4/Slot/${slot}`);
    expect([403, 422]).toContain(deleted.status);
    expect((await read('Slot', slot)).status).toBe('busy');
    expect((await deniedSince(from)).length).toBeGreaterThanOrEqual(1);
  });

  it('lets an integration import an appointment, which takes the reservation in the same write', async () => {
    const free = await publishSlot(c, 'doc-1', 44);
    const imported = await c.t.request('POST', '/fhir/R4/Appointment', { body: appointment(free) });
    expect(imported.status).toBe(201);
    const rows = await reservations(free);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.appointment_id).toBe((imported.json() as Json).id);
    // The slot is now taken for the scheduling API too.
    const late = await book(free);
    expect(late.status).toBe(409);

    // Into a slot the scheduling API already reserved: refused, nothing written.
    const taken = await publishSlot(c, 'doc-1', 45);
    expect((await book(taken)).status).toBe(201);
    const clash = await c.t.request('POST', '/fhir/R4/Appointment', { body: appointment(taken) });
    expect(clash.status).toBe(409);
    const tx = await c.t.request('POST', '/fhir/R4', {
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: appointment(taken), request: { method: 'POST', url: 'Appointment' } }],
      },
    });
    expect(tx.status).toBe(409);
    expect(await reservations(taken)).toHaveLength(1);

    // Parallel imports into one free slot: exactly one wins.
    const race = await publishSlot(c, 'doc-1', 46);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        c.t.request('POST', '/fhir/R4/Appointment', { body: appointment(race) }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(await reservations(race)).toHaveLength(1);
  });
  it('treats cancelling, un-cancelling and deleting through /fhir as bookings: persons refused, integrations release', async () => {
    const reminders = async (appointmentId: string) =>
      c.t.haven.database.db
        .selectFrom('appointment_reminders')
        .selectAll()
        .where('appointment_id', '=', appointmentId)
        .execute();
    // Booked through scheduling. Its clinician may edit it through /fhir (a comment keeps the slot)…
    const one = await publishSlot(c, 'doc-1', 47);
    const booked = await book(one);
    expect(booked.status).toBe(201);
    const id = (booked.json().appointment as { id: string }).id;
    const kept = await c.call(c.doc, 'PUT', `/fhir/R4/Appointment/${id}`, {
      ...(await read('Appointment', id)),
      comment: 'Synthetic: bring the test kit',
    });
    expect(kept.status).toBe(200);
    expect(await reservations(one)).toHaveLength(1);
    // …but not cancel or delete it there: that frees a slot, which only scheduling does (audited).
    const from = await auditHead();
    const current = await read('Appointment', id);
    const cancel = await c.call(c.doc, 'PUT', `/fhir/R4/Appointment/${id}`, {
      ...current,
      status: 'cancelled',
    });
    expect(cancel.status).toBe(422);
    const asFrontDesk = (await c.call(c.scheduler, 'GET', `/fhir/R4/Appointment/${id}`)).json();
    const byFrontDesk = await c.call(c.scheduler, 'PUT', `/fhir/R4/Appointment/${id}`, {
      ...asFrontDesk,
      status: 'cancelled',
    });
    expect(byFrontDesk.status).toBe(422);
    // No person's role deletes appointments at all (the delete rule is defence in depth).
    expect((await c.call(c.doc, 'DELETE', `/fhir/R4/Appointment/${id}`)).status).toBe(403);
    expect(await deniedSince(from)).toHaveLength(2);
    expect(await reservations(one)).toHaveLength(1);
    expect((await read('Appointment', id)).status).toBe('booked');

    // Un-cancelling an appointment scheduling cancelled would take its slot without a reservation.
    expect(
      (await c.call(c.scheduler, 'POST', `/api/scheduling/appointments/${id}/cancel`)).status,
    ).toBeLessThan(300);
    expect(await reservations(one)).toHaveLength(0);
    const again = await c.call(c.doc, 'PUT', `/fhir/R4/Appointment/${id}`, {
      ...(await read('Appointment', id)),
      status: 'booked',
    });
    expect(again.status).toBe(422);
    expect((await read('Appointment', id)).status).toBe('cancelled');

    // An integration's cancel gives the reservation back and drops the reminder, in the write.
    const two = await publishSlot(c, 'doc-1', 48);
    const bookedTwo = await book(two);
    const twoId = (bookedTwo.json().appointment as { id: string }).id;
    expect(await reminders(twoId)).toHaveLength(1);
    // A cancel that fails (stale If-Match) releases nothing.
    const stale = await c.t.request('PUT', `/fhir/R4/Appointment/${twoId}`, {
      body: { ...(await read('Appointment', twoId)), status: 'cancelled' },
      headers: { 'if-match': 'W/"999"' },
    });
    expect(stale.status).toBe(412);
    expect(await reservations(two)).toHaveLength(1);
    const cancelled = await c.t.request('PUT', `/fhir/R4/Appointment/${twoId}`, {
      body: { ...(await read('Appointment', twoId)), status: 'cancelled' },
    });
    expect(cancelled.status).toBe(200);
    expect(await reservations(two)).toHaveLength(0);
    expect(await reminders(twoId)).toHaveLength(0);
    // Its un-cancel takes the reservation again — or is refused if someone booked the slot since.
    const back = await c.t.request('PUT', `/fhir/R4/Appointment/${twoId}`, {
      body: { ...(await read('Appointment', twoId)), status: 'booked' },
    });
    expect(back.status).toBe(200);
    expect((await reservations(two))[0]?.appointment_id).toBe(twoId);

    // An integration's delete: the tombstone holds no slot.
    const three = await publishSlot(c, 'doc-1', 49);
    const imported = await c.t.request('POST', '/fhir/R4/Appointment', {
      body: appointment(three),
    });
    expect(imported.status).toBe(201);
    expect(await reservations(three)).toHaveLength(1);
    const gone = await c.t.request(
      'DELETE',
      `/fhir/R4/Appointment/${(imported.json() as Json).id}`,
    );
    expect(gone.status).toBeLessThan(300);
    expect(await reservations(three)).toHaveLength(0);
  });
});
