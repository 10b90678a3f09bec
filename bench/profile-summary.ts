/**
 * npx tsx bench/profile-summary.ts FILE.cpuprofile REQUESTS
 *
 * Where a request's CPU time goes, from a V8 CPU profile of Haven under load (written by the
 * bench with BENCH_CPU_PROFILE=DIR, or by `node --cpu-prof`): every sample is charged to the
 * innermost frame on its stack that belongs to a known part of the request path (walking from
 * the leaf towards the root), so native work (OpenSSL, SQLite, JSON) counts towards the Haven
 * code that asked for it. SQL issued by another part is named after that part ("SQL: audit").
 * Prints microseconds per request: each part's share of the busy samples times CPU_SECONDS (the
 * server's CPU time during the run, which the bench prints as cores × seconds) / REQUESTS. On a
 * shared machine the profiler's samples also land where the thread was merely descheduled, so
 * the shares are scaled to the CPU time actually used rather than read as wall time. Samples
 * under the bench's own frames (the inspector session that took the profile) are left out.
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, requestsArg, cpuArg] = process.argv.slice(2);
if (!file || !requestsArg || !cpuArg) {
  console.error('usage: profile-summary.ts FILE.cpuprofile REQUESTS CPU_SECONDS');
  process.exit(2);
}
const requests = Number(requestsArg);
const cpuSeconds = Number(cpuArg);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Part of the request path a frame belongs to, or undefined (keep walking towards the root). */
function part(n: Node): string | undefined {
  const { functionName: f, url } = n.callFrame;
  if (/\/bench\//.test(url)) return 'bench';
  if (f === '(garbage collector)') return 'GC';
  if (f === '(idle)') return 'idle';
  if (f === '(program)') return 'native (unattributed)';
  if (f === 'run' && url === '') return 'SQLite run: audit INSERTs + COMMIT (fsync)';
  if ((f === 'all' || f === 'get') && url === '') return 'SQLite query (reads)';
  if (f === 'parse' && url === '') return 'JSON';
  if (f === 'stringify' && url === '') return 'JSON';
  if (/fast-json-stringify|secure-json-parse/.test(url)) return 'JSON';
  if (/\/dist\/store\/|\/kysely\/|better-sqlite3|\/pg\/|pg-pool|pg-protocol/.test(url))
    return 'SQL';
  if (/\/dist\/crypto\//.test(url)) return 'key unwrap + decrypt';
  if (/\/dist\/audit\/|audit-group-commit/.test(url)) return 'audit append';
  if (/\/dist\/access\//.test(url)) return 'access decision';
  if (/\/dist\/auth\//.test(url)) return 'session/token lookup';
  if (/\/dist\/records\//.test(url)) return 'record read (glue)';
  if (/\/dist\/http\//.test(url)) return 'Haven hooks (http)';
  if (/\/dist\/alerts\/|\/dist\/app\/alert/.test(url)) return 'alert observer';
  if (/\/dist\//.test(url)) return 'Haven (other)';
  if (/find-my-way/.test(url)) return 'routing';
  if (/fastify|avvio|light-my-request|@fastify|pino|abstract-logging/.test(url))
    return 'fastify (hooks, reply, plugins)';
  if (/_http_|node:http\b/.test(url) || f === 'parserOnHeadersComplete') return 'HTTP parse/write';
  if (/_tls_|node:tls|node:net|node:stream|internal\/streams/.test(url) || f === 'onStreamRead')
    return 'TLS + socket';
  return undefined;
}

const owners = ['audit append', 'session/token lookup', 'access decision', 'record read (glue)'];
const totals = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  const parts: string[] = [];
  for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id)!;
    const p = /batch-writer/.test(n.callFrame.url) ? 'audit commit' : part(n);
    if (p !== undefined) parts.push(p);
  }
  let found: string | undefined = parts.includes('bench') ? 'bench' : parts[0];
  if (found === 'audit commit') found = 'SQL';
  const sqlFor =
    found === 'SQL' ? parts.find((p) => owners.includes(p) || p === 'audit commit') : undefined;
  const key =
    found === undefined
      ? 'other (node internals, timers)'
      : found === 'SQL'
        ? `SQL: ${sqlFor ?? 'other'}`
        : found;
  totals.set(key, (totals.get(key) ?? 0) + dt);
  total += dt;
}
const idle = totals.get('idle') ?? 0;
const bench = totals.get('bench') ?? 0;
const busy = total - idle - bench;
const usPerRequest = (cpuSeconds * 1e6) / requests;
console.log(
  `${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(idle / 1e6).toFixed(2)} s idle, ${(bench / 1e6).toFixed(2)} s profiler, ${requests} requests, ${cpuSeconds} CPU s`,
);
console.log('| part | µs per request | share of busy samples |');
console.log('| --- | ---: | ---: |');
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (k === 'idle' || k === 'bench') continue;
  console.log(
    `| ${k} | ${((usPerRequest * v) / busy).toFixed(0)} | ${((100 * v) / busy).toFixed(1)}% |`,
  );
}
console.log(`| **total (CPU)** | ${usPerRequest.toFixed(0)} | 100% |`);
