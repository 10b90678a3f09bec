import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

describe('HAVEN_RATE_LIMIT, HAVEN_RATE_LIMIT_WINDOW_SECONDS under HAVEN_REDIS_PREFIX', () => {
  const config = (env: Record<string, string>) =>
    resolveConfig({ data: '/tmp/haven-config-test' }, env).rateLimit;

  it('limits each address to 3000 requests a minute by default', () => {
    expect(config({})).toEqual({ max: 3000, windowSeconds: 60, keyPrefix: 'haven:rate:' });
  });

  it("takes another limit and window, counts under the installation's Redis prefix, and 0 turns it off", () => {
    expect(
      config({
        HAVEN_RATE_LIMIT: '20',
        HAVEN_RATE_LIMIT_WINDOW_SECONDS: '10',
        HAVEN_REDIS_PREFIX: 'clinic-b:',
      }),
    ).toEqual({ max: 20, windowSeconds: 10, keyPrefix: 'clinic-b:rate:' });
    expect(config({ HAVEN_RATE_LIMIT: '0' })).toBeUndefined();
  });

  it('refuses anything else', () => {
    for (const env of <Record<string, string>[]>[
      { HAVEN_RATE_LIMIT: '-1' },
      { HAVEN_RATE_LIMIT: 'lots' },
      { HAVEN_RATE_LIMIT_WINDOW_SECONDS: '0' },
    ])
      expect(() => config(env)).toThrow(ConfigError);
  });
});
