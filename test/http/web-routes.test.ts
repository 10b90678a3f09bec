import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../src/http/errors.js';
import { requirePermissionDeclarations } from '../../src/http/permissions.js';
import { WEB_CSP, webRoutes } from '../../src/http/web-routes.js';

/**
 * The web app's routes on their own, over a stand-in build (the browser tests in test/web run
 * the real build in the real server): client-side routes get the page, server paths never do.
 */
describe('web routes', () => {
  let root: string;
  let app: FastifyInstance;
  const PAGE = '<!doctype html><title>stand-in</title>';

  const make = async (dir: string) => {
    const a = Fastify();
    requirePermissionDeclarations(a);
    installErrorHandlers(a);
    a.get('/api/session', { config: { permission: 'public' } }, async () => ({ ok: true }));
    await a.register(webRoutes, { root: dir });
    return a;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), PAGE);
    fs.writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(
      path.join(root, 'assets', 'index-abc123.js.br'),
      zlib.brotliCompressSync('console.log(1)'),
    );
    fs.writeFileSync(path.join(root, 'secret.txt'), 'not for you');
    app = await make(root);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('answers client-side routes with the page, under the strict CSP', async () => {
    for (const url of ['/', '/signin', '/enroll', '/patients/abc/chart', '/disclosures?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.body]).toEqual([url, 200, PAGE]);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    }
    expect(WEB_CSP).toMatch(/default-src 'self'/);
    expect(WEB_CSP).toMatch(/frame-ancestors 'none'/);
    expect(WEB_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/);
  });

  it('never answers a server path with the page', async () => {
    for (const url of [
      '/api/nope',
      '/api',
      '/fhir/R4/Patient/x/y/z/w',
      '/fhir',
      '/healthz',
      '/readyz',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, 404]);
      expect(res.body).not.toContain('stand-in');
    }
    expect((await app.inject({ method: 'GET', url: '/api/session' })).json()).toEqual({ ok: true });
  });

  it('serves hashed assets as immutable, and no other file', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toBe('console.log(1)');
    // The build's brotli twin, when the browser takes it (web/precompress.ts).
    const br = await app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe('console.log(1)');
    for (const url of [
      '/secret.txt',
      '/assets/../secret.txt',
      '/assets/%2e%2e%2fsecret.txt',
      '/assets/missing.js',
      '/assets/index-abc123.js.br',
      '/index.html',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode]).toEqual([url, 404]);
      expect(res.body).not.toContain('not for you');
    }
  });

  it('says the app is not built, without a 5xx, when there is no build', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-web-empty-'));
    const bare = await make(empty);
    try {
      const res = await bare.inject({ method: 'GET', url: '/signin' });
      expect(res.statusCode).toBe(404);
      expect(res.body).toMatch(/not built/);
      expect((await bare.inject({ method: 'GET', url: '/assets/x.js' })).statusCode).toBe(404);
    } finally {
      await bare.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
