import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

/** Issue 17 part 2: HAVEN_PKCS11_* settings; the PIN is required and never printed. */
const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const resolve = (env: Record<string, string>) => resolveConfig({}, env);

describe('PKCS#11 settings', () => {
  it('are absent without HAVEN_PKCS11_MODULE (the local keyring is used)', () => {
    expect(resolve({}).pkcs11).toBeUndefined();
  });

  it('read module, token label and PIN; the PIN never appears when the config is printed', () => {
    const c = resolve({
      HAVEN_PKCS11_MODULE: MODULE,
      HAVEN_PKCS11_TOKEN_LABEL: 'clinic-hsm',
      HAVEN_PKCS11_PIN: 'pin-7391',
    });
    expect(c.pkcs11).toMatchObject({ module: MODULE, tokenLabel: 'clinic-hsm', slot: undefined });
    expect(c.pkcs11?.pin()).toBe('pin-7391');
    expect(JSON.stringify(c)).not.toContain('pin-7391');
  });

  it('take a slot id instead of a label', () => {
    const c = resolve({
      HAVEN_PKCS11_MODULE: MODULE,
      HAVEN_PKCS11_SLOT: '7',
      HAVEN_PKCS11_PIN: 'p',
    });
    expect(c.pkcs11).toMatchObject({ slot: 7, tokenLabel: undefined });
  });

  it.each([
    ['no module', { HAVEN_PKCS11_TOKEN_LABEL: 'x', HAVEN_PKCS11_PIN: 'p' }],
    [
      'a relative module path',
      { HAVEN_PKCS11_MODULE: 'lib.so', HAVEN_PKCS11_TOKEN_LABEL: 'x', HAVEN_PKCS11_PIN: 'p' },
    ],
    ['no PIN', { HAVEN_PKCS11_MODULE: MODULE, HAVEN_PKCS11_TOKEN_LABEL: 'x' }],
    ['neither label nor slot', { HAVEN_PKCS11_MODULE: MODULE, HAVEN_PKCS11_PIN: 'p' }],
    [
      'both label and slot',
      {
        HAVEN_PKCS11_MODULE: MODULE,
        HAVEN_PKCS11_TOKEN_LABEL: 'x',
        HAVEN_PKCS11_SLOT: '1',
        HAVEN_PKCS11_PIN: 'p',
      },
    ],
    [
      'a slot that is not an id',
      { HAVEN_PKCS11_MODULE: MODULE, HAVEN_PKCS11_SLOT: '-1', HAVEN_PKCS11_PIN: 'p' },
    ],
  ])('refuses %s', (_name, env) => {
    expect(() => resolve(env)).toThrow(ConfigError);
  });
});
