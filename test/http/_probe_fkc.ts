import https from 'node:https';
import { Client } from 'fhir-kit-client';
import { startTestServer } from '../support/haven-server.js';

const t = await startTestServer('sqlite');
try {
  const base = `${t.server.url}/fhir/R4`;
  const tryIt = async (label: string, requestOptions: Record<string, unknown>) => {
    const c = new Client({ baseUrl: base, bearerToken: t.token, requestOptions });
    try {
      const r = await c.search({ resourceType: 'Patient', searchParams: { family: 'x' } });
      console.log(label, 'OK', r.resourceType);
    } catch (e) {
      const err = e as Error & { cause?: Error };
      console.log(
        label,
        'FAIL',
        err.message,
        err.cause?.message,
        (err.cause as { code?: string })?.code,
      );
    }
  };
  await tryIt('https.Agent', { agent: new https.Agent({ ca: t.ca }) });
  await fetch('data:,x').catch(() => {});
  const g = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as
    { constructor: new (o: unknown) => unknown } | undefined;
  console.log('global dispatcher', g?.constructor?.name);
  if (g) await tryIt('dispatcher', { dispatcher: new g.constructor({ connect: { ca: t.ca } }) });
} finally {
  await t.stop();
}
