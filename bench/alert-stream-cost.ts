// The anomaly rules' cost on the audited read path (docs/alerts.md): two servers, one with
// the rules engine on and one with HAVEN_ALERT_RULES=off, the same physician reading the same
// patients' charts through a signed-in session, rounds alternated so drift hits both alike.
// Besides the wall time it reports the process's CPU time per read (user + system, both servers
// and the client share this process) and the median of the paired round ratios, which a shared
// machine disturbs less than the wall-time medians.
// A third argument checks the method: `aa` runs both servers with the rules off (what the
// two in-process servers differ by when the rules do not), `swap` starts the rules-off server
// first.
// Run: node --import tsx bench/alert-stream-cost.ts [reads per round] [rounds] [aa|swap]
import { performance } from 'node:perf_hooks';
import { startTestServer, type TestServer } from '../test/support/haven-server.js';
import { TestClock } from '../test/http/auth/sign-in.js';
import { buildClinic, fhirAs, signInRole, type SignedIn } from '../test/http/access/clinic.js';

const reads = Number(process.argv[2] ?? 400);
const rounds = Number(process.argv[3] ?? 6);

async function prepare(env: Record<string, string>) {
  const clock = new TestClock();
  const t = await startTestServer('sqlite', { clock: clock.fn, env });
  const clinic = await buildClinic(t);
  const doc = await signInRole(t, clock, clinic, 'physician');
  const paths = Object.values(clinic.records.own).map(
    (r) => `/fhir/R4/${String(r.resourceType)}/${r.id}`,
  );
  return { t, doc, paths };
}

const cpu = { on: [] as number[], off: [] as number[] };

async function round(
  s: { t: TestServer; doc: SignedIn; paths: string[] },
  into?: number[],
): Promise<number> {
  const start = performance.now();
  const used = process.cpuUsage();
  for (let i = 0; i < reads; i++) {
    const res = await fhirAs(s.t, s.doc, 'GET', s.paths[i % s.paths.length]!);
    if (res.status !== 200) throw new Error(`read answered ${res.status}`);
  }
  // The deferred evaluation of this round's reads belongs to this round's CPU time.
  await s.t.haven.alertStream.engine.idle();
  const d = process.cpuUsage(used);
  into?.push(d.user + d.system);
  return performance.now() - start;
}

const mode = process.argv[4] ?? '';
const OFF = { HAVEN_ALERT_RULES: 'off' };
const off0 = mode === 'swap' ? await prepare(OFF) : undefined;
const on = await prepare(mode === 'aa' ? OFF : {});
const off = off0 ?? (await prepare(OFF));
await round(on);
await round(off); // warm-up
const times = { on: [] as number[], off: [] as number[] };
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    times.on.push(await round(on, cpu.on));
    times.off.push(await round(off, cpu.off));
  } else {
    times.off.push(await round(off, cpu.off));
    times.on.push(await round(on, cpu.on));
  }
}
await on.t.haven.alertStream.engine.idle();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perRead = (xs: number[]) => (median(xs) / reads) * 1000;
const cost = (median(times.on) / median(times.off) - 1) * 100;
const paired = median(times.on.map((t, i) => t / times.off[i]! - 1)) * 100;
const cpuCost = (median(cpu.on) / median(cpu.off) - 1) * 100;
console.log(
  `audited reads: ${reads} x ${rounds} rounds; median per read ${perRead(times.on).toFixed(0)} µs with rules, ` +
    `${perRead(times.off).toFixed(0)} µs without: cost ${cost.toFixed(1)}% ` +
    `(paired rounds ${paired.toFixed(1)}%); CPU per read ${perRead(cpu.on.map((u) => u / 1000)).toFixed(0)} µs ` +
    `vs ${perRead(cpu.off.map((u) => u / 1000)).toFixed(0)} µs: CPU cost ${cpuCost.toFixed(1)}%`,
);
await on.t.stop();
await off.t.stop();
