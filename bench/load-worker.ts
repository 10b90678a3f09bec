/** Child process: receives a LoadSpec, runs autocannon against it, sends back a LoadResult. */
import crypto from 'node:crypto';
import autocannon from 'autocannon';
import type { LoadResult, LoadSpec } from './load.js';

// Dies with the bench: an orphaned load generator would skew whatever runs next.
process.once('disconnect', () => process.exit(1));

process.once('message', (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (e: unknown) =>
      process.send!({ error: e instanceof Error ? e.stack : String(e) }, () => process.exit(1)),
  );
});

async function run(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  const bodies = spec.bodies;
  process.send!({ started: true });
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.seconds,
    timeout: 30,
    // autocannon's TLS client always sets rejectUnauthorized:false; the name matches the dev certificate.
    servername: 'localhost',
    headers: spec.headers,
    requests: [
      {
        method: spec.method,
        setupRequest: (req) => {
          const i = next++;
          const out = { ...req, path: spec.paths[i % spec.paths.length]! };
          if (bodies)
            out.body = bodies[i % bodies.length]!.replaceAll('__BENCH_ID__', crypto.randomUUID());
          return out;
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count ?? 0;
  return {
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    statusCodes,
    bytesPerSecond: r.throughput.average,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
