import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

describe('access and alert settings', () => {
  it('defaults break-glass grants to 60 minutes and takes a positive override', () => {
    expect(resolveConfig({}, {}).breakGlassMinutes).toBe(60);
    expect(resolveConfig({}, { HAVEN_BREAK_GLASS_MINUTES: '30' }).breakGlassMinutes).toBe(30);
    expect(() => resolveConfig({}, { HAVEN_BREAK_GLASS_MINUTES: '0' })).toThrow(ConfigError);
  });

  it('sends alerts only to https, or to plain http on this machine', () => {
    expect(resolveConfig({}, {}).alertWebhook).toBeUndefined();
    expect(
      resolveConfig({}, { HAVEN_ALERT_WEBHOOK: 'https://pager.example/hook' }).alertWebhook,
    ).toBe('https://pager.example/hook');
    expect(resolveConfig({}, { HAVEN_ALERT_WEBHOOK: 'http://127.0.0.1:9000/a' }).alertWebhook).toBe(
      'http://127.0.0.1:9000/a',
    );
    expect(() => resolveConfig({}, { HAVEN_ALERT_WEBHOOK: 'http://pager.example/hook' })).toThrow(
      /HAVEN_ALERT_WEBHOOK must be https/,
    );
  });
});
