import { afterEach, describe, expect, it } from 'vitest';
import { KeyUnavailableError, Pkcs11Provider } from '../../src/crypto/index.js';
import { acquireModule, releaseModule } from '../../src/crypto/pkcs11-session.js';
import {
  createSoftHsmToken,
  SOFTHSM_MODULE,
  USER_PIN,
  type SoftHsmToken,
} from '../support/softhsm.js';

/** Issue 17 part 2: the KEK never leaves the token, and a token Haven cannot use stops it. */
let token: SoftHsmToken | undefined;
afterEach(() => {
  token?.cleanup();
  token = undefined;
});

describe('PKCS#11 KEK on a SoftHSM2 token', () => {
  it('is generated sensitive and not extractable: its value cannot be read or wrapped out', async () => {
    token = createSoftHsmToken();
    const provider = await Pkcs11Provider.open(token.settings);
    const { lib, api } = await acquireModule(SOFTHSM_MODULE);
    try {
      const session = lib.C_OpenSession(lib.C_GetSlotList(true)[0]!, api.CKF_SERIAL_SESSION);
      lib.C_FindObjectsInit(session, [{ type: api.CKA_LABEL, value: 'haven-kek-1' }]);
      const [kek] = lib.C_FindObjects(session, 10);
      lib.C_FindObjectsFinal(session);
      expect(kek).toBeDefined();
      const attrs = lib.C_GetAttributeValue(session, kek!, [
        { type: api.CKA_EXTRACTABLE },
        { type: api.CKA_SENSITIVE },
        { type: api.CKA_TOKEN },
      ]);
      expect(attrs.map((a) => (a.value as Buffer)[0])).toEqual([0, 1, 1]);
      expect(() => lib.C_GetAttributeValue(session, kek!, [{ type: api.CKA_VALUE }])).toThrow(
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
      // A session key that may wrap: the token still refuses to wrap the KEK out with it.
      const wrapper = lib.C_GenerateKey(session, { mechanism: api.CKM_AES_KEY_GEN }, [
        { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
        { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
        { type: api.CKA_VALUE_LEN, value: 32 },
        { type: api.CKA_TOKEN, value: false },
        { type: api.CKA_WRAP, value: true },
      ]);
      expect(() =>
        lib.C_WrapKey(
          session,
          { mechanism: api.CKM_AES_KEY_WRAP_PAD },
          wrapper,
          kek!,
          Buffer.alloc(128),
        ),
      ).toThrow(/CKR_KEY_UNEXTRACTABLE/);
      lib.C_CloseSession(session);
    } finally {
      releaseModule(SOFTHSM_MODULE);
      await provider.close();
    }
  });

  it('refuses a wrong PIN, naming the token and never the PIN', async () => {
    token = createSoftHsmToken();
    const wrongPin = '998877';
    const opening = Pkcs11Provider.open({ ...token.settings, pin: () => wrongPin });
    await expect(opening).rejects.toBeInstanceOf(KeyUnavailableError);
    const message = await opening.catch((e: Error) => e.message);
    expect(message).toContain('label "haven-test"');
    expect(message).toContain('CKR_PIN_INCORRECT');
    expect(message).not.toContain(wrongPin);
    expect(message).not.toContain(USER_PIN);
  });

  it('refuses a module path that does not load, and a token label that is not there', async () => {
    token = createSoftHsmToken();
    await expect(
      Pkcs11Provider.open({ ...token.settings, module: '/nonexistent/libpkcs11.so' }),
    ).rejects.toThrow(/cannot load the PKCS#11 module \/nonexistent\/libpkcs11.so/);
    await expect(
      Pkcs11Provider.open({ ...token.settings, tokenLabel: 'no-such-token' }),
    ).rejects.toThrow(/label "no-such-token".*not found/);
  });

  it('a closed session (token gone) makes every unwrap fail closed with KeyUnavailableError', async () => {
    token = createSoftHsmToken();
    const provider = await Pkcs11Provider.open(token.settings);
    const w = await provider.wrapKey(Buffer.alloc(32, 1), 'ctx');
    await provider.close();
    await expect(provider.unwrapKey(w, 'ctx')).rejects.toBeInstanceOf(KeyUnavailableError);
  });
});
