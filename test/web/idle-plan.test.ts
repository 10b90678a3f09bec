import { describe, expect, it } from 'vitest';
import { planIdle, POLL_MS, WARN_BEFORE_MS } from '../../web/src/session/idle-plan.js';

const info = (idle: number, absolute = 8 * 3600) => ({
  userId: 'u',
  idleExpiresInSeconds: idle,
  absoluteExpiresInSeconds: absolute,
  mfa: true,
  roles: ['nurse'],
});

describe('the web app idle schedule', () => {
  const now = 1_000_000;

  it('polls while the limit is far, without a warning', () => {
    expect(planIdle(info(900), now)).toEqual({
      deadline: now + 900_000,
      warn: false,
      nextCheckInMs: POLL_MS,
    });
  });

  it('checks again exactly when the warning becomes due', () => {
    const p = planIdle(info(WARN_BEFORE_MS / 1000 + 5), now);
    expect(p.warn).toBe(false);
    expect(p.nextCheckInMs).toBe(5_000);
  });

  it('warns within two minutes of the limit, and checks at the deadline at the latest', () => {
    const p = planIdle(info(119), now);
    expect(p).toEqual({ deadline: now + 119_000, warn: true, nextCheckInMs: POLL_MS });
    expect(planIdle(info(3), now)).toEqual({
      deadline: now + 3_000,
      warn: true,
      nextCheckInMs: 3_000,
    });
  });

  it('counts the absolute limit when it comes first', () => {
    const p = planIdle(info(900, 60), now);
    expect(p.deadline).toBe(now + 60_000);
    expect(p.warn).toBe(true);
  });

  it('is due at once when nothing is left', () => {
    expect(planIdle(info(0), now)).toEqual({ deadline: now, warn: true, nextCheckInMs: 0 });
  });
});
