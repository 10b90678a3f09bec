import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installSecurityHeaders, securityHeaders } from '../../src/http/security-headers.js';

const OPTIONS = {
  hsts: { maxAge: 63072000, includeSubDomains: true, preload: false },
  contentSecurityPolicy: {
    directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
  },
  referrerPolicy: { policy: 'no-referrer' as const },
};

/** The precomputed headers are exactly what @fastify/helmet sets per request (issue 19). */
describe('security headers computed once', () => {
  it('answers with the same headers as the helmet plugin, on every response', async () => {
    const withPlugin = Fastify();
    await withPlugin.register(helmet, OPTIONS);
    withPlugin.get('/x', async () => ({ ok: true }));
    const expected = (await withPlugin.inject('/x')).headers;
    await withPlugin.close();

    const headers = await securityHeaders(OPTIONS);
    expect(Object.keys(headers).sort()).toEqual(
      expect.arrayContaining([
        'content-security-policy',
        'strict-transport-security',
        'referrer-policy',
        'x-content-type-options',
        'x-frame-options',
      ]),
    );
    const app = Fastify();
    installSecurityHeaders(app, headers);
    app.get('/x', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    for (const path of ['/x', '/boom', '/missing']) {
      const got = (await app.inject(path)).headers;
      for (const name of Object.keys(headers))
        expect(got[name], `${path} ${name}`).toBe(expected[name]);
    }
    expect(headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await app.close();
  });
});
