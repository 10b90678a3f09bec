/**
 * npm run bench:bulk [-- --patients 200 --engines sqlite,postgres]: Bulk Data `$export`
 * throughput — a whole system export of N seeded Synthea patients (bench/seed.ts), from kick-off
 * to the last NDJSON file downloaded, in resources/s, plus the share of that time the job took
 * before its manifest (polls every 50 ms of wall time; this is a benchmark, not a test).
 */
import { withBenchHaven } from './bench-haven.js';
import { makeClient } from './client.js';
import { seedPatients } from './seed.js';
import { arg } from './args.js';

const PATIENTS = Number(arg('patients', '200'));
const ENGINES = arg('engines', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

for (const engine of ENGINES) {
  await withBenchHaven(engine, 'bx', async ({ server, ca, token }) => {
    await seedPatients(server.url, ca, token, PATIENTS);
    const client = makeClient(server.url, ca, token);
    const t0 = performance.now();
    const kick = await client.send('GET', '/fhir/R4/$export', undefined, {
      prefer: 'respond-async',
    });
    if (kick.status !== 202) throw new Error(`kick-off answered ${kick.status}`);
    const status = new URL(String(kick.headers['content-location'])).pathname;
    let manifest: { output: { url: string; count: number }[] } | undefined;
    while (!manifest) {
      const res = await client.send('GET', status);
      if (res.status === 200) manifest = JSON.parse(res.body.toString('utf8')) as typeof manifest;
      else if (res.status !== 202) throw new Error(`status answered ${res.status}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    const jobS = (performance.now() - t0) / 1000;
    let resources = 0;
    let bytes = 0;
    for (const o of manifest.output) {
      const file = await client.send('GET', new URL(o.url).pathname);
      if (file.status !== 200) throw new Error(`file answered ${file.status}`);
      resources += file.body.toString('utf8').split('\n').filter(Boolean).length;
      bytes += file.body.length;
    }
    const totalS = (performance.now() - t0) / 1000;
    client.close();
    console.log(
      JSON.stringify({
        engine,
        patients: PATIENTS,
        resources,
        files: manifest.output.length,
        MB: +(bytes / 1e6).toFixed(1),
        jobSeconds: +jobS.toFixed(2),
        totalSeconds: +totalS.toFixed(2),
        resourcesPerS: Math.round(resources / totalS),
      }),
    );
  });
}
