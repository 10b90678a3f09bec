/**
 * npm run bench:scale [-- --patients 10000,1000000 --engines sqlite,postgres --seconds 5]
 *
 * Issue 19, target 4: read and search-by-identifier latency as the store grows. One Haven per
 * engine (HTTPS, an API client's token, c=32 like `npm run bench`); the first size is seeded with
 * real sealed patients (bench/backup-seed.ts: the production vault, tokens and rows), measured,
 * then grown to each further size with filler rows of the same shape (bench/scale-filler.ts) and
 * measured again on the same real patients. Prints p50/p99 and req/s per size and the p50 ratio
 * of the largest size to the first (goal: within 1.5×). `bench/results/scale-latest.json` keeps
 * the figures. See docs/performance.md, "Latency as the store grows".
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { seedPatientsDirect, type SeededPatient } from './backup-seed.js';
import { withBenchHaven } from './bench-haven.js';
import { runLoad, type LoadResult } from './load.js';
import { addFiller, analyze, realShape } from './scale-filler.js';
import { searchPath } from './seed.js';
import { arg } from './args.js';

const SIZES = arg('patients', '10000,1000000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const ENGINES = arg('engines', 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const SECONDS = Number(arg('seconds', '5'));
const WARMUP = Number(arg('warmup', '2'));
const CONNECTIONS = Number(arg('connections', '32'));
/** Tokens per filler patient (a real bench patient has ~77; see scale-filler.ts). */
const FILLER_TOKENS = Number(arg('filler-tokens', '8'));
/** Real patients the load rotates over (all of them up to this many). */
const MEASURED = 2000;
if (SIZES.some((n) => !Number.isInteger(n) || n <= 0) || SIZES.length < 2)
  throw new Error('--patients N,M[,…]: at least two ascending sizes');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Point {
  patients: number;
  read: LoadResult;
  search: LoadResult;
}
interface EngineScale {
  engine: string;
  realPatients: number;
  seedSeconds: number;
  fillerSeconds: number;
  points: Point[];
}

async function measureAt(
  url: string,
  token: string,
  measured: SeededPatient[],
): Promise<Omit<Point, 'patients'>> {
  const headers = { accept: 'application/fhir+json', authorization: `Bearer ${token}` };
  const spec = (paths: string[], seconds: number) => ({
    url,
    connections: CONNECTIONS,
    seconds,
    method: 'GET' as const,
    paths,
    headers,
  });
  const reads = measured.map((p) => `/fhir/R4/Patient/${p.id}`);
  const searches = measured.map((p) => searchPath(p.identifier));
  const checked = async (paths: string[]) => {
    if (WARMUP > 0) await runLoad(spec(paths, WARMUP));
    const r = await runLoad(spec(paths, SECONDS));
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(`bench:scale: ${r.errors} errors, ${r.non2xx} non-2xx answers`);
    return r;
  };
  return { read: await checked(reads), search: await checked(searches) };
}

async function scaleEngine(engine: 'sqlite' | 'postgres'): Promise<EngineScale> {
  return withBenchHaven(engine, 'scale', async ({ haven, server, token }) => {
    const db = haven.database.db as never;
    const real: SeededPatient[] = [];
    const first = SIZES[0]!;
    log(`[${engine}] seeding ${first.toLocaleString('en-US')} sealed patients`);
    const t0 = performance.now();
    // Seeding only: the bench's own population needs no fsync per commit (reset below).
    if (engine === 'sqlite') await sql`PRAGMA synchronous = OFF`.execute(db);
    const seeded = await seedPatientsDirect(haven.records, first, undefined, (p) => {
      if (real.length < MEASURED) real.push(p);
    });
    if (engine === 'sqlite') await sql`PRAGMA synchronous = FULL`.execute(db);
    await analyze(db, engine);
    const seedSeconds = (performance.now() - t0) / 1000;
    const shape = await realShape(db, FILLER_TOKENS);
    log(
      `[${engine}] ${seedSeconds.toFixed(0)} s; ${seeded.tokensPerPatient.toFixed(0)} tokens a patient; filler: ${JSON.stringify(shape)}`,
    );
    const points: Point[] = [];
    let size = first;
    let fillerSeconds = 0;
    for (const target of SIZES) {
      if (target > size) {
        log(`[${engine}] growing to ${target.toLocaleString('en-US')} patients`);
        const t1 = performance.now();
        if (engine === 'sqlite') await sql`PRAGMA synchronous = OFF`.execute(db);
        await addFiller(db, engine, target - size, shape, (n) => {
          if (n % 200_000 === 0) log(`  +${n.toLocaleString('en-US')}`);
        });
        if (engine === 'sqlite') {
          await sql`PRAGMA synchronous = FULL`.execute(db);
          await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
        }
        fillerSeconds += (performance.now() - t1) / 1000;
        size = target;
      }
      log(`[${engine}] measuring at ${size.toLocaleString('en-US')} patients`);
      const m = await measureAt(server.url, token, real);
      points.push({ patients: size, ...m });
      log(
        `    read p50 ${m.read.p50} ms p99 ${m.read.p99} ms ${Math.round(m.read.rps)}/s; search p50 ${m.search.p50} ms p99 ${m.search.p99} ms ${Math.round(m.search.rps)}/s`,
      );
    }
    return { engine, realPatients: first, seedSeconds, fillerSeconds, points };
  });
}

const results: EngineScale[] = [];
for (const engine of ENGINES) results.push(await scaleEngine(engine));

const fmt = (n: number) => n.toLocaleString('en-US');
console.log(
  `\nLatency as the store grows (c=${CONNECTIONS}, ${SECONDS} s per measurement, the same ${Math.min(MEASURED, SIZES[0]!)} real patients read and searched at each size)\n`,
);
console.log(
  '| engine | patients | read p50 ms | read p99 ms | read req/s | search p50 ms | search p99 ms | search req/s |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const e of results)
  for (const p of e.points)
    console.log(
      `| ${e.engine} | ${fmt(p.patients)} | ${p.read.p50} | ${p.read.p99} | ${fmt(Math.round(p.read.rps))} | ${p.search.p50} | ${p.search.p99} | ${fmt(Math.round(p.search.rps))} |`,
    );
console.log('\n| target 4: p50 at largest ÷ p50 at first ≤ 1.5× | read | search |');
console.log('| --- | ---: | ---: |');
for (const e of results) {
  const a = e.points[0]!;
  const z = e.points[e.points.length - 1]!;
  const ratio = (x: number, y: number) => (y > 0 ? x / y : x > 0 ? Infinity : 1);
  const verdict = (r: number) => `${r.toFixed(2)}× ${r <= 1.5 ? 'met' : 'MISSED'}`;
  console.log(
    `| ${e.engine} ${fmt(z.patients)} vs ${fmt(a.patients)} | ${verdict(ratio(z.read.p50, a.read.p50))} | ${verdict(ratio(z.search.p50, a.search.p50))} |`,
  );
}
const out = path.join(ROOT, 'bench', 'results', 'scale-latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), fillerTokens: FILLER_TOKENS, results }, null, 2),
);
console.log(`\nResults: ${path.relative(ROOT, out)}`);
