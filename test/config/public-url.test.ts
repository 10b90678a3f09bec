import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

describe('HAVEN_PUBLIC_URL', () => {
  const publicUrl = (env: Record<string, string>, flags: { publicUrl?: string } = {}) =>
    resolveConfig({ data: '/tmp/haven-config-test', ...flags }, env).publicUrl;

  it('is the origin of the configured URL; the serve flag wins', () => {
    expect(publicUrl({})).toBeUndefined();
    expect(publicUrl({ HAVEN_PUBLIC_URL: 'https://Haven.Example.org:8443/app' })).toBe(
      'https://haven.example.org:8443',
    );
    expect(
      publicUrl({ HAVEN_PUBLIC_URL: 'https://a.example' }, { publicUrl: 'https://b.example' }),
    ).toBe('https://b.example');
    expect(publicUrl({ HAVEN_PUBLIC_URL: 'http://localhost:3000' })).toBe('http://localhost:3000');
  });

  it('refuses what WebAuthn cannot use', () => {
    for (const bad of ['not a url', 'http://haven.example.org', 'https://u:p@haven.example']) {
      expect(() => publicUrl({ HAVEN_PUBLIC_URL: bad })).toThrow(ConfigError);
    }
  });
});
