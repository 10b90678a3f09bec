/**
 * npm run bench:interop [-- --rounds 2 --engines sqlite,postgres]: issue 20's two throughput
 * figures on real-size records. (1) Transaction import: the 30 Synthea bundles (3,304 resources,
 * 100 KB+ bundles) POSTed as transaction Bundles over HTTPS, `--rounds` times (each round makes
 * new patients), in resources/s; one bundle in flight, then four. (2) Bulk Data `$export` of
 * everything imported, from kick-off to the last NDJSON file downloaded, in resources/s.
 * Imports beside (e) a bare node:https server taking the same requests and answering with one of
 * Haven's transaction answers, in the same run, so the figure is a ratio as well as a rate. Polls the export
 * every 50 ms of wall time: this is a benchmark, not a test.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { syntheaBundleNames, syntheaDir } from '../scripts/synthea-dir.js';
import { withBenchHaven } from './bench-haven.js';
import { makeClient } from './client.js';
import { arg } from './args.js';

const ROUNDS = Number(arg('rounds', '2'));
const ENGINES = arg('engines', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

const bundles = syntheaBundleNames().map((f) =>
  fs.readFileSync(path.join(syntheaDir(), f), 'utf8'),
);
const resourcesPerRound = bundles.reduce(
  (n, b) => n + (JSON.parse(b) as { entry: unknown[] }).entry.length,
  0,
);

type Client = ReturnType<typeof makeClient>;
/** One of Haven's transaction answers: what the bare server sends back for every request. */
let sampleAnswer: Buffer = Buffer.alloc(0);

async function importAll(client: Client, inFlight: number): Promise<number> {
  const queue = Array.from({ length: ROUNDS }, () => bundles).flat();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
        const res = await client.send('POST', '/fhir/R4', JSON.parse(b));
        if (res.status !== 200) throw new Error(`transaction answered ${res.status}`);
        if (sampleAnswer.length === 0) sampleAnswer = res.body;
      }
    }),
  );
  return (ROUNDS * resourcesPerRound) / ((performance.now() - t0) / 1000);
}

async function exportAll(client: Client): Promise<{ resources: number; perS: number }> {
  const t0 = performance.now();
  const kick = await client.send('GET', '/fhir/R4/$export', undefined, {
    prefer: 'respond-async',
  });
  if (kick.status !== 202) throw new Error(`kick-off answered ${kick.status}`);
  const status = new URL(String(kick.headers['content-location'])).pathname;
  let manifest: { output: { url: string }[] } | undefined;
  while (!manifest) {
    const res = await client.send('GET', status);
    if (res.status === 200) manifest = JSON.parse(res.body.toString('utf8')) as typeof manifest;
    else if (res.status !== 202) throw new Error(`status answered ${res.status}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  let resources = 0;
  for (const o of manifest.output) {
    const file = await client.send('GET', new URL(o.url).pathname);
    if (file.status !== 200) throw new Error(`file answered ${file.status}`);
    resources += file.body.toString('utf8').split('\n').filter(Boolean).length;
  }
  return { resources, perS: resources / ((performance.now() - t0) / 1000) };
}

/** (e): a bare node:https server taking the same bundles and answering with Haven's bytes. */
async function bareRate(ca: string, key: string, cert: string, inFlight: number): Promise<number> {
  const answer = sampleAnswer;
  const server = https.createServer({ key, cert }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const client = makeClient(`https://127.0.0.1:${port}`, ca, null);
  const queue = Array.from({ length: ROUNDS }, () => bundles).flat();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift())
        await client.send('POST', '/', JSON.parse(b));
    }),
  );
  const rate = (ROUNDS * resourcesPerRound) / ((performance.now() - t0) / 1000);
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
  return rate;
}

const rows: string[] = [];
for (const engine of ENGINES) {
  await withBenchHaven(engine, 'interop', async ({ server, config, ca, token }) => {
    const key = fs.readFileSync(path.join(config.dataDir, 'tls', 'dev-key.pem'), 'utf8');
    const client = makeClient(server.url, ca, token);
    for (const inFlight of [1, 4]) {
      const haven_ = await importAll(client, inFlight);
      const bare = await bareRate(ca, key, ca, inFlight);
      rows.push(
        `| ${engine} | transaction import, ${inFlight} in flight | ${Math.round(haven_)} | ${Math.round(bare)} | ${(haven_ / bare).toFixed(3)}× |`,
      );
    }
    const exported = await exportAll(client);
    rows.push(
      `| ${engine} | $export, ${exported.resources} resources | ${Math.round(exported.perS)} | — | — |`,
    );
    client.close();
  });
}
console.log(
  `Synthea: ${bundles.length} bundles, ${resourcesPerRound} resources a round, ${ROUNDS} rounds`,
);
console.log('| engine | what | Haven resources/s | (e) bare node:https, same requests | × (e) |');
console.log('| --- | --- | --: | --: | --: |');
for (const r of rows) console.log(r);
