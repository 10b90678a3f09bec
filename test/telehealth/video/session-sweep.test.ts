import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/auth/index.js';
import {
  CLOSE,
  MemoryRoomStore,
  SignalingHub,
  VisitService,
  type Admission,
  type VisitRole,
  type VisitSocket,
} from '../../../src/telehealth/index.js';

/** A socket as the hub sees it, remembering what it was sent and how it was closed. */
class FakeSocket implements VisitSocket {
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  private onClose: (() => void) | undefined;
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(code: number): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = code;
    this.onClose?.();
  }
  on(event: 'message' | 'close', listener: (...a: never[]) => void): this {
    if (event === 'close') this.onClose = listener as () => void;
    return this;
  }
}

const ctx = (id: string): RequestContext => ({
  principal: { kind: 'user', id, label: id, roles: [], scopes: [], mfa: true },
  requestId: `req-${id}`,
  ip: undefined,
  userAgent: undefined,
});

const admission = (role: VisitRole): Admission => ({
  room: 'appt-1',
  role,
  facts: {
    id: 'appt-1',
    status: 'booked',
    patientId: 'pat-1',
    practitionerIds: ['doc-1'],
    start: new Date('2031-05-06T07:00:00Z'),
    end: new Date('2031-05-06T07:20:00Z'),
  },
  window: {
    opensAt: new Date('2031-05-06T06:45:00Z'),
    closesAt: new Date('2031-05-06T07:50:00Z'),
  },
});

/**
 * The timer path of "the socket ends with the session" (ADR 0027): a silent socket, which sends
 * nothing and is sent nothing, is closed by the sweep once its session is gone — without waiting
 * on real time (the route plugin runs sweep() on an interval; here the test calls it).
 */
describe('the signaling hub sweep', () => {
  it('closes only the silent sockets whose session ended (4401), a drop for the other side', async () => {
    const audited: unknown[] = [];
    const visits = new VisitService({
      records: {} as never,
      audit: { record: async (...a: unknown[]) => void audited.push(a) } as never,
      config: {} as never,
      clock: () => new Date('2031-05-06T07:00:00Z'),
      store: new MemoryRoomStore(),
    });
    const hub = new SignalingHub(visits);
    const live = { patient: true, clinician: true };
    const patient = new FakeSocket();
    const clinician = new FakeSocket();
    await hub.connect(patient, ctx('p'), admission('patient'), async () => live.patient);
    await hub.connect(clinician, ctx('c'), admission('clinician'), async () => live.clinician);
    expect(audited).toHaveLength(2);

    await hub.sweep();
    expect(patient.closedWith).toBeUndefined();
    expect(clinician.closedWith).toBeUndefined();

    live.patient = false;
    await hub.sweep();
    expect(patient.closedWith).toBe(CLOSE.sessionEnded);
    expect(patient.sent).toContainEqual({ type: 'error', code: 'session-ended' });
    expect(clinician.closedWith).toBeUndefined();
    await expect.poll(async () => (await visits.state('appt-1')).patient).toBeUndefined();

    // A check that cannot answer (the session store away) fails closed.
    const failing = new FakeSocket();
    await hub.connect(failing, ctx('p2'), admission('patient'), async () => {
      throw new Error('session store away');
    });
    await hub.sweep();
    expect(failing.closedWith).toBe(CLOSE.sessionEnded);
    expect(clinician.closedWith).toBeUndefined();
  });
});
