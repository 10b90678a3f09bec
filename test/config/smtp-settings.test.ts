import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

describe('HAVEN_SMTP_URL and HAVEN_SMTP_FROM', () => {
  const config = (env: Record<string, string>) =>
    resolveConfig({ data: '/tmp/haven-config-test' }, env);

  it('is off by default (links go to the terminal); the sender defaults to the public host', () => {
    expect(config({}).smtpUrl).toBeUndefined();
    expect(config({}).smtpFrom).toBe('haven@localhost');
    expect(config({ HAVEN_PUBLIC_URL: 'https://clinic.example' }).smtpFrom).toBe(
      'haven@clinic.example',
    );
  });

  it('takes smtp:// and smtps:// URLs and an explicit sender', () => {
    const c = config({
      HAVEN_SMTP_URL: 'smtps://mailer:secret@mail.example:465',
      HAVEN_SMTP_FROM: 'noreply@clinic.example',
    });
    expect(c.smtpUrl).toBe('smtps://mailer:secret@mail.example:465');
    expect(c.smtpFrom).toBe('noreply@clinic.example');
  });

  it('refuses anything else, without echoing it', () => {
    for (const bad of ['not a url', 'https://mail.example', 'smtp']) {
      expect(() => config({ HAVEN_SMTP_URL: bad })).toThrow(ConfigError);
    }
  });
});
