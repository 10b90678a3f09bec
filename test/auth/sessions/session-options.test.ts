import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookie,
  readSessionCookie,
  SessionConfigError,
  SessionManager,
  type SessionStore,
} from '../../../src/auth/sessions/index.js';

const store = {} as SessionStore;

describe('session limits', () => {
  it('defaults to 15 minutes idle and refuses more unless explicitly allowed', () => {
    expect(() => new SessionManager({ store })).not.toThrow();
    expect(() => new SessionManager({ store, idleMinutes: 15 })).not.toThrow();
    expect(() => new SessionManager({ store, idleMinutes: 16 })).toThrow(SessionConfigError);
    expect(
      () => new SessionManager({ store, idleMinutes: 30, allowIdleAbove15: true }),
    ).not.toThrow();
  });

  it('refuses nonsense limits', () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => new SessionManager({ store, idleMinutes: bad })).toThrow(SessionConfigError);
      expect(() => new SessionManager({ store, absoluteHours: bad })).toThrow(SessionConfigError);
    }
    expect(() => new SessionManager({ store, idleMinutes: 10, absoluteHours: 0.1 })).toThrow(
      SessionConfigError,
    );
    expect(() => new SessionManager({ store, idleMinutes: 1, touchEverySeconds: 31 })).toThrow(
      SessionConfigError,
    );
  });
});

describe('session cookie', () => {
  it('reads the session id among other cookies and clears it on logout', () => {
    expect(readSessionCookie('a=1; __Host-haven_session=abc; b=2')).toBe('abc');
    expect(readSessionCookie('haven_session=abc')).toBeUndefined();
    expect(readSessionCookie(undefined)).toBeUndefined();
    expect(clearedSessionCookie()).toBe(
      '__Host-haven_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0',
    );
  });
});
