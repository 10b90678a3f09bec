import { describe, expect, it } from 'vitest';
import {
  checkRelyingParty,
  relyingPartyFromPublicUrl,
  WebauthnConfigError,
} from '../../../src/auth/webauthn/index.js';

describe('relying party configuration', () => {
  it('derives the RP ID and origin from the public URL', () => {
    expect(relyingPartyFromPublicUrl('https://Haven.Example:8443/app/')).toEqual({
      rpId: 'haven.example',
      rpName: 'Haven',
      origin: 'https://haven.example:8443',
    });
    expect(relyingPartyFromPublicUrl('http://localhost:3000', 'Dev')).toMatchObject({
      rpId: 'localhost',
      origin: 'http://localhost:3000',
    });
  });

  it('accepts an RP ID that is a parent domain of the origin host', () => {
    expect(
      checkRelyingParty({ rpId: 'example.org', rpName: 'H', origin: 'https://haven.example.org' })
        .rpId,
    ).toBe('example.org');
  });

  it.each([
    ['not a url', undefined],
    ['http://haven.example', undefined],
    ['https://10.0.0.5', undefined],
    ['https://[::1]', undefined],
  ])('refuses the public URL %s', (url) => {
    expect(() => relyingPartyFromPublicUrl(url)).toThrow(WebauthnConfigError);
  });

  it.each([
    { rpId: 'other.example', origin: 'https://haven.example' },
    { rpId: 'ven.example', origin: 'https://haven.example' },
    { rpId: 'haven.example', origin: 'https://haven.example/path' },
  ])('refuses RP ID $rpId with origin $origin', ({ rpId, origin }) => {
    expect(() => checkRelyingParty({ rpId, rpName: 'H', origin })).toThrow(
      expect.objectContaining({ code: 'webauthn-config' }),
    );
  });
});
