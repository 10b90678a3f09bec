import { describe, expect, it } from 'vitest';

import {
  InvalidTotpInputError,
  generateTotpSecret,
  totpQrSvg,
  totpUri,
} from '../../../src/auth/totp/index.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('totpUri', () => {
  it('builds an otpauth:// Key URI with issuer prefix and issuer parameter', () => {
    const uri = totpUri({ secret: SECRET, account: 'jane@clinic.example', issuer: 'Haven Clinic' });
    const url = new URL(uri);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Haven Clinic:jane@clinic.example');
    expect(url.searchParams.get('secret')).toBe(SECRET);
    expect(url.searchParams.get('issuer')).toBe('Haven Clinic');
    // Anything but SHA-1, 6 digits, 30 s would be ignored by some apps; defaults may be omitted.
    expect(url.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(url.searchParams.get('digits') ?? '6').toBe('6');
    expect(url.searchParams.get('period') ?? '30').toBe('30');
  });

  it.each([
    { account: 'a:b', issuer: 'Haven' },
    { account: 'jane', issuer: 'Haven:Clinic' },
    { account: ' ', issuer: 'Haven' },
    { account: 'jane', issuer: '' },
  ])('refuses a colon or an empty value: %j', (names) => {
    expect(() => totpUri({ secret: SECRET, ...names })).toThrow(InvalidTotpInputError);
  });
});

describe('totpQrSvg', () => {
  it('renders the URI as an SVG QR code', async () => {
    const uri = totpUri({ secret: generateTotpSecret(), account: 'jane', issuer: 'Haven' });
    const svg = await totpQrSvg(uri);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('viewBox');
    expect(svg).toContain('<path');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('encodes the content: different URIs give different symbols', async () => {
    const a = await totpQrSvg(totpUri({ secret: SECRET, account: 'jane', issuer: 'Haven' }));
    const b = await totpQrSvg(totpUri({ secret: SECRET, account: 'john', issuer: 'Haven' }));
    expect(a).not.toBe(b);
  });
});
