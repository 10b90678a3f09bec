import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../../src/app/index.js';
import { startServer, type RunningServer } from '../../../src/http/index.js';
import { createLogger } from '../../../src/logging/index.js';
import { TestClock } from '../../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../../support/haven-server.js';
import { openVisitSocket, visitFixture, type VisitFixture } from './visit-fixture.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two Haven servers on one database and one Redis, as behind a load balancer: the patient's
 * socket on one, the clinician's on the other. Rooms, admission, relaying and hang-up travel
 * through Redis (pub/sub under the installation's prefix).
 */
describe('video visit signaling across two servers sharing Redis', () => {
  const clock = new TestClock();
  let a: TestServer;
  let b: { haven: Haven; server: RunningServer };
  let f: VisitFixture;

  beforeAll(async () => {
    a = await startTestServer('postgres', {
      clock: clock.fn,
      env: {
        REDIS_URL,
        HAVEN_REDIS_PREFIX: `haven-test-${crypto.randomBytes(6).toString('hex')}:`,
      },
    });
    const haven = await openHaven(a.config, { clock: clock.fn, logger: createLogger('silent') });
    b = { haven, server: await startServer(haven, { software: { name: 'Haven', version: 'b' } }) };
    f = await visitFixture(a, clock);
  }, 120_000);
  afterAll(async () => {
    await b?.server.close();
    await b?.haven.close();
    await a?.stop();
  });

  it('relays between a patient on one server and the clinician on the other', async () => {
    const room = f.appointmentId;
    const patient = await openVisitSocket(a, room, { jar: f.patient });
    await patient.next((m) => m.type === 'state' && m.patientPresent === true);
    const clinician = await openVisitSocket(a, room, { jar: f.clinician, base: b.server.url });
    await clinician.next((m) => m.type === 'state' && m.patientPresent === true);
    clinician.send({ type: 'admit' });
    await patient.next((m) => m.type === 'state' && m.admitted === true);

    patient.send({ type: 'signal', description: { type: 'offer', sdp: 'v=0 from a' } });
    expect(await clinician.next((m) => m.type === 'signal')).toEqual({
      type: 'signal',
      description: { type: 'offer', sdp: 'v=0 from a' },
    });
    clinician.send({ type: 'signal', description: { type: 'answer', sdp: 'v=0 from b' } });
    expect(await patient.next((m) => m.type === 'signal')).toEqual({
      type: 'signal',
      description: { type: 'answer', sdp: 'v=0 from b' },
    });

    // The patient reconnects through the other server: the old socket is replaced.
    const moved = await openVisitSocket(a, room, { jar: f.patient, base: b.server.url });
    expect((await patient.closed).code).toBe(4001);
    await moved.next((m) => m.type === 'state' && m.admitted === true);

    clinician.send({ type: 'hangup' });
    await moved.next((m) => m.type === 'ended');
    expect((await moved.closed).code).toBe(4000);
    expect((await clinician.closed).code).toBe(4000);
  });
});
