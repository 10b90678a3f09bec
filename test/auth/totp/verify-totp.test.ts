import { describe, expect, it } from 'vitest';

import {
  InvalidTotpInputError,
  InvalidTotpSecretError,
  generateTotpSecret,
  totpStepAt,
  verifyTotp,
} from '../../../src/auth/totp/index.js';
import { totpCodeAt } from '../../../src/auth/totp/totp-core.js';

// A fixed secret and instant keep every assertion deterministic (no chance collisions).
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const NOW = new Date('2026-03-14T15:09:26Z');
const STEP = totpStepAt(NOW);
const at = (steps: number) => new Date(NOW.getTime() + steps * 30_000);
const codeAt = (steps: number) => totpCodeAt(SECRET, at(steps), 6);

describe('verifyTotp: window of ±1 step (30 s, 6 digits, SHA-1)', () => {
  it('accepts the current code and reports its step', () => {
    expect(verifyTotp(SECRET, codeAt(0), { now: NOW })).toEqual({ ok: true, step: STEP });
  });

  it('accepts the previous and the next step, reporting the step that matched', () => {
    expect(verifyTotp(SECRET, codeAt(-1), { now: NOW })).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyTotp(SECRET, codeAt(1), { now: NOW })).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses codes two steps away in either direction', () => {
    for (const steps of [-3, -2, 2, 3]) {
      expect(codeAt(steps)).not.toBe(codeAt(0));
      expect(verifyTotp(SECRET, codeAt(steps), { now: NOW })).toEqual({ ok: false });
    }
  });

  it('uses the injected time, not the clock: a code from 2026 fails in 2027', () => {
    const later = new Date('2027-03-14T15:09:26Z');
    expect(verifyTotp(SECRET, codeAt(0), { now: later })).toEqual({ ok: false });
  });

  it('counts steps from the Unix epoch in 30-second blocks', () => {
    const stepStart = new Date(STEP * 30_000);
    const stepEnd = new Date(STEP * 30_000 + 29_999);
    expect(totpStepAt(stepStart)).toBe(STEP);
    expect(totpStepAt(stepEnd)).toBe(STEP);
    expect(totpStepAt(new Date(stepEnd.getTime() + 1))).toBe(STEP + 1);
  });
});

describe('verifyTotp: replay protection (RFC 6238 §5.2)', () => {
  it('refuses the same code a second time', () => {
    const first = verifyTotp(SECRET, codeAt(0), { now: NOW });
    expect(first).toEqual({ ok: true, step: STEP });
    const lastUsedStep = first.ok ? first.step : -1;
    expect(verifyTotp(SECRET, codeAt(0), { now: NOW, lastUsedStep })).toEqual({ ok: false });
    expect(verifyTotp(SECRET, codeAt(0), { now: at(1), lastUsedStep })).toEqual({ ok: false });
  });

  it('refuses an older code still inside the window once a newer one was used', () => {
    expect(verifyTotp(SECRET, codeAt(-1), { now: NOW, lastUsedStep: STEP })).toEqual({
      ok: false,
    });
  });

  it('accepts the next step after the last used one', () => {
    expect(verifyTotp(SECRET, codeAt(1), { now: NOW, lastUsedStep: STEP })).toEqual({
      ok: true,
      step: STEP + 1,
    });
  });

  it('refuses everything, without throwing, when the last used step is ahead of the window', () => {
    for (const lastUsedStep of [STEP + 1, STEP + 5]) {
      expect(verifyTotp(SECRET, codeAt(1), { now: NOW, lastUsedStep })).toEqual({ ok: false });
    }
  });

  it('throws for a last used step that is not a non-negative integer', () => {
    for (const lastUsedStep of [-1, 1.5, Number.NaN]) {
      expect(() => verifyTotp(SECRET, codeAt(0), { now: NOW, lastUsedStep })).toThrow(
        InvalidTotpInputError,
      );
    }
  });
});

describe('verifyTotp: input', () => {
  it('accepts a code typed with a space or in full-width digits', () => {
    const code = codeAt(0);
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    expect(verifyTotp(SECRET, spaced, { now: NOW })).toEqual({ ok: true, step: STEP });
    expect(verifyTotp(SECRET, fullWidth, { now: NOW })).toEqual({ ok: true, step: STEP });
  });

  it.each(['', '12345', '1234567', 'abcdef', '12345a', '-12345', '１２３'])(
    'refuses the malformed code %j without throwing',
    (code) => {
      expect(verifyTotp(SECRET, code, { now: NOW })).toEqual({ ok: false });
    },
  );

  it('refuses a wrong code', () => {
    const code = codeAt(0);
    const wrong = code.slice(0, 5) + ((Number(code[5]) + 1) % 10);
    expect([codeAt(-1), codeAt(1)]).not.toContain(wrong);
    expect(verifyTotp(SECRET, wrong, { now: NOW })).toEqual({ ok: false });
  });

  it.each([
    ['not base32', 'not base32!'],
    ['shorter than 128 bits', 'JBSWY3DPEHPK3PXP'],
  ])('throws InvalidTotpSecretError for a secret that is %s', (_why, secret) => {
    expect(() => verifyTotp(secret, '123456', { now: NOW })).toThrow(InvalidTotpSecretError);
  });

  it('throws InvalidTotpInputError for an invalid date', () => {
    expect(() => verifyTotp(SECRET, '123456', { now: new Date(Number.NaN) })).toThrow(
      InvalidTotpInputError,
    );
  });
});

describe('generateTotpSecret', () => {
  it('returns 160 bits as 32 unpadded base32 characters, different each time', () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
  });

  it('produces a secret that verifies its own codes', () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, totpCodeAt(secret, NOW, 6), { now: NOW })).toEqual({
      ok: true,
      step: STEP,
    });
  });
});
