import { describe, expect, it } from 'vitest';
import { MessageNotifications, type NewMessageNotifier } from '../../src/messaging/index.js';
import { MINUTE, TestClock } from '../http/auth/sign-in.js';

/** The debounce in front of the notifier port, on the injected clock. */
describe('MessageNotifications', () => {
  const setup = (fail = false) => {
    const clock = new TestClock();
    const sent: string[] = [];
    const failures: string[] = [];
    const port: NewMessageNotifier = {
      notifyNewMessage: async (u) => {
        if (fail) throw Object.assign(new Error('smtp down'), { code: 'ECONNREFUSED' });
        sent.push(u);
      },
    };
    const n = new MessageNotifications(port, clock.fn, 5 * MINUTE, (c) => failures.push(c));
    return { clock, sent, failures, n };
  };

  it('sends one email per person and thread in the window, and again after it', async () => {
    const { clock, sent, n } = setup();
    await n.messageSent('t1', ['a', 'b']);
    clock.advance(4 * MINUTE);
    await n.messageSent('t1', ['a', 'b']);
    await n.messageSent('t2', ['a']); // another thread is another notice
    expect(sent).toEqual(['a', 'b', 'a']);
    clock.advance(MINUTE);
    await n.messageSent('t1', ['b']);
    expect(sent).toEqual(['a', 'b', 'a', 'b']);
  });

  it('sends one email for messages arriving at the same moment', async () => {
    const { sent, n } = setup();
    await Promise.all(Array.from({ length: 5 }, () => n.messageSent('t1', ['a'])));
    expect(sent).toEqual(['a']);
  });

  it('reports a failed send by code and tries again with the next message', async () => {
    const failing = setup(true);
    await failing.n.messageSent('t1', ['a']);
    expect(failing.failures).toEqual(['ECONNREFUSED']);
    await failing.n.messageSent('t1', ['a']);
    expect(failing.failures).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });
});
