/**
 * npm run bench [-- --write-docs]: Haven on embedded SQLite and on PostgreSQL, each as one
 * in-process server and as `haven serve --workers N`, each against its own baseline route and a
 * bare node:https server, plus the audit trail's append/verify speed.
 * See docs/performance.md for the method. Exits non-zero on any error, non-2xx or audit mismatch.
 */
import path from 'node:path';
import { prepareClinician } from './clinician.js';
import { ALL_SCENARIOS, readSettings, type Scenario } from './config.js';
import { ROOT, warnIfStale } from './haven.js';
import type { LoadSpec } from './load.js';
import { describeMachine } from './machine.js';
import { measure, type Measurement } from './measure.js';
import { measureOverload } from './overload.js';
import {
  printReport,
  variantName,
  writeDocs,
  writeJson,
  type BenchResults,
  type EngineResults,
} from './report.js';
import { checkSearch, patientTemplates, searchPath, seedPatients, withIdentifier } from './seed.js';
import { startBareServer, startHaven, type HavenTarget } from './servers.js';
import { verifySpeed } from './verify-speed.js';

const settings = readSettings(process.argv.slice(2));
const log = (s: string) => console.error(s);
warnIfStale();

const results: BenchResults = {
  date: new Date().toISOString(),
  settings: {
    seconds: settings.seconds,
    warmupSeconds: settings.warmupSeconds,
    connections: settings.connections,
    patients: settings.patients,
    verifyEntries: settings.verifyEntries,
    engines: settings.engines,
    workers: settings.workers,
    scenarios: settings.scenarios,
    overloadConnections: settings.overloadConnections,
  },
  machine: await describeMachine(
    settings.engines.includes('postgres') ? settings.databaseUrl : undefined,
  ),
  engines: [],
  problems: [],
  warnings: [],
};

const note = (where: string, m: Measurement) => {
  for (const p of m.problems) results.problems.push(`${where} ${m.scenario}: ${p}`);
  for (const w of m.warnings) results.warnings.push(`${where} ${m.scenario}: ${w}`);
  const a = !m.audit
    ? ''
    : m.server
      ? `, audit +${m.audit.written} for ${m.server.received} requests`
      : `, audit +${m.audit.written} for ${m.load.requests} responses`;
  const c = m.cpu
    ? `; cores: server ${m.cpu.server}, load ${m.cpu.loadgen}, pg ${m.cpu.postgres}, other ${m.cpu.other}`
    : '';
  log(
    `    ${Math.round(m.load.rps)} req/s, p50 ${m.load.p50} ms, p99 ${m.load.p99} ms, errors ${m.load.errors}, non-2xx ${m.load.non2xx}${a}${c}`,
  );
};

async function benchEngine(target: HavenTarget): Promise<EngineResults> {
  const t0 = performance.now();
  const name = variantName(target);
  log(`[${name}] seeding ${settings.patients} patients (${target.location})`);
  const seed = await seedPatients(target.url, target.ca, target.token, settings.patients);
  await checkSearch(target.url, target.ca, target.token, seed.patients[0]!);
  const seedSeconds = (performance.now() - t0) / 1000;
  const headers = { accept: 'application/fhir+json', authorization: `Bearer ${target.token}` };
  const readPaths = seed.patients.map((p) => `/fhir/R4/Patient/${p.id}`);
  const spec = (paths: string[], extra: Partial<LoadSpec> = {}): LoadSpec => ({
    url: target.url,
    connections: settings.connections,
    seconds: settings.seconds,
    method: 'GET',
    paths,
    headers,
    ...extra,
  });

  if (!results.bare && settings.scenarios.includes('bare')) {
    // Measured once, while this Haven sits idle, with its certificate and the bytes it served.
    log('[bare node:https]');
    const bare = await startBareServer(target.tls, seed.bodies);
    try {
      results.bare = await measure(
        'bare',
        { requests: bare.requests, auditPerRequest: 0 },
        { ...spec(readPaths), url: bare.url },
        settings.warmupSeconds,
        log,
      );
      note('bare', results.bare);
    } finally {
      await bare.close();
    }
  }

  const scenarios: Partial<Record<Scenario, Measurement>> = {};
  const run = async (s: Scenario, auditPerRequest: number, ls: LoadSpec) => {
    if (!settings.scenarios.includes(s)) return;
    const m = await measure(
      s,
      {
        ...(target.requests ? { requests: target.requests } : {}),
        countAudit: target.countAudit,
        auditPerRequest,
        ...(target.primaryPid
          ? { cluster: { primary: target.primaryPid, workers: target.workers } }
          : {}),
      },
      ls,
      settings.warmupSeconds,
      log,
    );
    note(name, m);
    scenarios[s] = m;
  };
  log(`[${name}] measuring`);
  await run('baseline', 0, spec([`/bench/baseline?bytes=${seed.meanBodyBytes}`]));
  await run('read', 1, spec(readPaths));
  let small: EngineResults['small'];
  if (settings.scenarios.includes('read-small')) {
    log(`[${name}] seeding ${settings.patients} small patients`);
    const s = await seedPatients(target.url, target.ca, target.token, settings.patients, {
      small: true,
    });
    small = {
      patients: s.patients.length,
      responseBytes: s.meanBodyBytes,
      importSeconds: s.importSeconds,
    };
    await run('read-small', 1, spec(s.patients.map((p) => `/fhir/R4/Patient/${p.id}`)));
  }
  if (settings.scenarios.includes('read-clinician')) {
    // Set up just before it is measured: the session must not reach its 15-minute idle limit.
    log(`[${name}] a physician on a CareTeam with each patient, signing in`);
    const { cookie } = await prepareClinician(target, seed.patients, seed.bodies);
    await run(
      'read-clinician',
      1,
      spec(readPaths, { headers: { accept: 'application/fhir+json', cookie } }),
    );
  }
  // Statistics as autovacuum would have them by now on a production PostgreSQL (see analyze()).
  await target.analyze();
  await run('search', 1, spec(seed.patients.map((p) => searchPath(p.identifier))));
  const bodies = patientTemplates().map((t) => JSON.stringify(withIdentifier(t, '__BENCH_ID__')));
  await run(
    'create',
    1,
    spec(['/fhir/R4/Patient'], {
      method: 'POST',
      bodies,
      headers: { ...headers, 'content-type': 'application/fhir+json' },
    }),
  );
  // Overload: in-process Haven only (its memory is this process's, which the bench can collect).
  let overload;
  if (settings.scenarios.includes('overload') && target.requests) {
    overload = await measureOverload(
      { ...spec(readPaths), connections: settings.overloadConnections },
      target.requests,
      target.countAudit,
      log,
    );
    for (const p of overload.problems) results.problems.push(`${name} overload: ${p}`);
    log(
      `    p50 ${overload.load.p50} ms, p99 ${overload.load.p99} ms, max ${overload.load.max} ms; ${overload.served} served, ${overload.refused} refused (503); audit +${overload.auditWritten}; RSS ${overload.rssBeforeMiB} → peak ${overload.rssPeakMiB} → ${overload.rssAfterMiB} MiB`,
    );
  }
  return {
    ...(overload ? { overload } : {}),
    engine: target.engine,
    workers: target.workers,
    location: target.location,
    patients: seed.patients.length,
    responseBytes: seed.meanBodyBytes,
    importSeconds: seed.importSeconds,
    ...(small && { small }),
    seedSeconds,
    scenarios,
  };
}

let failed = false;
try {
  for (const engine of settings.engines) {
    for (const workers of settings.workers) {
      const target = await startHaven(engine, settings.databaseUrl, workers, log);
      try {
        results.engines.push(await benchEngine(target));
      } finally {
        await target.stop();
      }
    }
  }
  if (settings.verifyEntries > 0) {
    log(
      `[audit trail] appending ${settings.verifyEntries.toLocaleString('en-US')} entries, then verifying`,
    );
    results.verify = await verifySpeed(settings.verifyEntries, log);
    if (!results.verify.ok)
      results.problems.push(
        `verifyTrail failed: ${results.verify.problem ?? 'entry count mismatch'}`,
      );
  }
} catch (e) {
  failed = true;
  results.problems.push(
    `bench aborted: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
}

printReport(results);
const jsonFile = path.join(ROOT, 'bench', 'results', 'latest.json');
writeJson(jsonFile, results);
console.log(`\nResults: ${path.relative(ROOT, jsonFile)}`);
if (results.warnings.length > 0) {
  console.error(`\nWARNING — ${results.warnings.length} measurement(s) ran on a busy machine:`);
  for (const w of results.warnings) console.error(`  ! ${w}`);
}
if (results.problems.length > 0 || failed) {
  console.error(`\n${'!'.repeat(72)}\nBENCH FAILED — ${results.problems.length} problem(s):`);
  for (const p of results.problems) console.error(`  ✗ ${p}`);
  console.error(`${'!'.repeat(72)}`);
  if (settings.writeDocs) console.error('docs/performance.md was NOT updated.');
  process.exit(1);
}
const partial =
  settings.engines.length < 2 ||
  !settings.workers.includes(1) ||
  !settings.workers.some((n) => n > 1) ||
  settings.scenarios.length < ALL_SCENARIOS.length ||
  settings.verifyEntries === 0;
if (settings.writeDocs && partial) {
  console.error(
    'docs/performance.md was NOT updated: --write-docs needs both engines, 1 and more worker processes, every scenario and the audit-trail run.',
  );
} else if (
  settings.writeDocs &&
  results.warnings.length > 0 &&
  process.env.BENCH_ALLOW_BUSY !== '1'
) {
  console.error(
    'docs/performance.md was NOT updated: the machine was busy during the run (rerun when it is quiet, or set BENCH_ALLOW_BUSY=1).',
  );
  process.exit(2);
} else if (settings.writeDocs) {
  await writeDocs(path.join(ROOT, 'docs', 'performance.md'), results);
  console.log('Updated docs/performance.md');
}
