import { afterEach, describe, expect, it } from 'vitest';
import { runInRequestScope } from '../../src/audit/index.js';
import { ENGINES } from '../support/engines.js';
import { closeTrails, trailWith } from './trail-harness.js';

const origin = (requestId: string) => ({
  ip: `192.0.2.${requestId.length}`,
  userAgent: requestId,
  requestId,
});

/**
 * Sign-in events are recorded deep in the user service and take their request's address, user
 * agent and id from the request scope. They must take them when they are recorded, not when
 * the batch they join commits: the batch runs in the asynchronous context of whichever request
 * started it, which is another request's as soon as two share a batch.
 */
describe.each(ENGINES)('request origin of sign-in events on %s', (engine) => {
  afterEach(() => closeTrails());

  it('is the recording request, even in a batch another request started', async () => {
    const { haven } = await trailWith(engine, 0);
    const submit = haven.writer.submit.bind(haven.writer);
    let other: Promise<unknown> | undefined;
    // Just before the event joins the writer's queue, another request starts the next batch.
    haven.writer.submit = ((job) => {
      other ??= runInRequestScope(origin('other-request'), () =>
        submit({ onSuccess: () => [], onFailure: () => [] }),
      );
      return submit(job);
    }) as typeof haven.writer.submit;

    await runInRequestScope(origin('signing-in'), () =>
      haven.people.users.recordPasswordStep('u-1', { outcome: 'failure', reason: 'server-error' }),
    );
    await other;

    expect(other).toBeDefined();
    const rows = await haven.auditRepo.entries(0, 10);
    expect(rows.map((r) => [r.action, r.request_id, r.user_agent, r.ip])).toEqual([
      ['login-password', 'signing-in', 'signing-in', '192.0.2.10'],
    ]);
  });
});
