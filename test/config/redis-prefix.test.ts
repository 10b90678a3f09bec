import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/config/index.js';

describe('HAVEN_REDIS_PREFIX', () => {
  const config = (env: Record<string, string>) =>
    resolveConfig({ data: '/tmp/haven-config-test' }, env);

  it('defaults to haven: and takes a prefix of its own per installation', () => {
    expect(config({}).redisPrefix).toBe('haven:');
    expect(config({ HAVEN_REDIS_PREFIX: 'clinic-b:' }).redisPrefix).toBe('clinic-b:');
  });

  it('refuses glob characters and spaces (keys are listed by pattern), without echoing them', () => {
    for (const bad of ['a*', 'a?', 'a[b]', 'two words', 'x'.repeat(65)]) {
      let error: unknown;
      try {
        config({ HAVEN_REDIS_PREFIX: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain(bad);
    }
  });
});
