/** Tables for stdout and docs/performance.md, and the JSON results file. */
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { MEDPLUM_RPS, TARGETS, type BenchSettings, type Scenario } from './config.js';
import type { Machine } from './machine.js';
import { auditOk, OTHER_CPU_WARN, type Measurement } from './measure.js';
import { RSS_RETURN_LIMIT, type OverloadResult } from './overload.js';
import type { VerifySpeed } from './verify-speed.js';

/** One engine at one process count. */
export interface EngineResults {
  engine: 'sqlite' | 'postgres';
  /** 1: Haven in the bench's process; N > 1: `haven serve --workers N`. */
  workers: number;
  location: string;
  patients: number;
  responseBytes: number;
  /** The import transactions of the (Synthea-size) patients alone, 100 a bundle. */
  importSeconds?: number;
  /** The same number of small patients (scenario `read-small`): their size and import time. */
  small?: { patients: number; responseBytes: number; importSeconds: number };
  seedSeconds: number;
  scenarios: Partial<Record<Scenario, Measurement>>;
  /** Far more clients than the in-flight limit admits (in-process Haven only). */
  overload?: OverloadResult;
}

export interface BenchResults {
  date: string;
  settings: Omit<BenchSettings, 'databaseUrl' | 'writeDocs'>;
  machine: Machine;
  bare?: Measurement;
  engines: EngineResults[];
  verify?: VerifySpeed;
  problems: string[];
  /** Measurements taken while something outside the bench used the CPU. */
  warnings: string[];
}

const LABELS: Record<Scenario | 'bare', string> = {
  bare: '(e) bare node:https, same bytes as (b)',
  baseline: '(a) GET /bench/baseline, same size',
  read: '(b) read Patient/{id}',
  'read-small': '(g) read a small Patient/{id}',
  'read-clinician': '(f) read Patient/{id} as a physician',
  create: '(c) create Patient (durable)',
  search: '(d) search Patient?identifier=',
};
const ORDER: Scenario[] = ['baseline', 'read', 'read-small', 'read-clinician', 'create', 'search'];

/** "sqlite" for the in-process server, "sqlite ×2" for two worker processes. */
export const variantName = (e: { engine: string; workers: number }) =>
  e.workers === 1 ? e.engine : `${e.engine} ×${e.workers}`;

/**
 * Each engine's measurements scenario by scenario, every process count of a scenario together,
 * so that 1-process and N-process figures sit side by side.
 */
function byScenario(r: BenchResults): [EngineResults, Scenario, Measurement][] {
  const out: [EngineResults, Scenario, Measurement][] = [];
  const engines = byEngine(r);
  for (const engine of new Set(engines.map((e) => e.engine)))
    for (const s of ORDER)
      for (const e of engines) {
        const m = e.scenarios[s];
        if (e.engine === engine && m) out.push([e, s, m]);
      }
  return out;
}

/** The same engine and scenario measured in one process, for the "× 1 process" ratio. */
const oneProcess = (r: BenchResults, e: EngineResults, s: Scenario) =>
  r.engines.find((x) => x.engine === e.engine && x.workers === 1)?.scenarios[s];

const int = (n: number) => Math.round(n).toLocaleString('en-US');
// autocannon's latency histogram has 1 ms resolution.
const ms = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const ratio = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(2)}×`;

type Table = { head: string[]; rows: string[][]; right?: boolean[] };

function throughputTable(r: BenchResults): Table {
  const rows: string[][] = [];
  const bareRps = r.bare?.load.rps;
  const row = (
    engine: string,
    workers: string,
    m: Measurement,
    baseRps: number | undefined,
    oneRps: number | undefined,
  ) => {
    const scen = m.scenario;
    const medplum = scen === 'bare' ? undefined : MEDPLUM_RPS[scen];
    rows.push([
      engine,
      workers,
      LABELS[scen],
      int(m.load.rps),
      oneRps === undefined ? '—' : ratio(m.load.rps / oneRps),
      ms(m.load.p50),
      ms(m.load.p99),
      `${m.load.errors}/${m.load.non2xx}`,
      scen === 'bare' || scen === 'baseline' || baseRps === undefined
        ? '—'
        : ratio(m.load.rps / baseRps),
      bareRps === undefined ? '—' : ratio(m.load.rps / bareRps),
      medplum ? int(medplum) : '—',
      medplum ? ratio(m.load.rps / medplum) : '—',
    ]);
  };
  if (r.bare) row('—', '1', r.bare, undefined, undefined);
  for (const [e, s, m] of byScenario(r)) {
    const one = e.workers === 1 ? undefined : oneProcess(r, e, s)?.load.rps;
    row(e.engine, String(e.workers), m, e.scenarios.baseline?.load.rps, one);
  }
  return {
    head: [
      'engine',
      'workers',
      'scenario',
      'req/s',
      '× 1 process',
      'p50 ms',
      'p99 ms',
      'errors/non-2xx',
      '× (a)',
      '× (e)',
      'Medplum req/s',
      '× Medplum',
    ],
    rows,
    right: [false, true, false, true, true, true, true, true, true, true, true, true],
  };
}

/** p99 of every answer under overload, what was served and refused, and memory around it. */
function overloadTable(r: BenchResults): Table | undefined {
  const rows = byEngine(r)
    .filter((e) => e.overload)
    .map((e) => {
      const o = e.overload!;
      return [
        variantName(e),
        String(o.connections),
        int(o.load.rps),
        ms(o.load.p50),
        ms(o.load.p99),
        ms(o.load.max),
        int(o.served),
        int(o.refused),
        int(o.abandoned),
        `${int(o.auditWritten)} ${o.auditWritten >= o.served && o.auditWritten <= o.served + o.abandoned ? '✓' : '✗'}`,
        `${o.rssBeforeMiB} → ${o.rssPeakMiB} → ${o.rssAfterMiB}`,
        `${o.rssRatio.toFixed(2)}× ${o.rssRatio <= 1.1 ? '✓' : '✗'}`,
      ];
    });
  if (rows.length === 0) return undefined;
  return {
    head: [
      'engine',
      'clients',
      'answers/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'served (200)',
      'refused (503)',
      'abandoned at stop',
      'audit entries',
      'RSS MiB before → peak → after GC',
      'after/before',
    ],
    rows,
    right: [false, true, true, true, true, true, true, true, true, true, true, true],
  };
}

/** What access control costs a person: (f), the physician's read, against (b), the client's. */
function personTable(r: BenchResults): Table | undefined {
  const rows = byEngine(r)
    .filter((e) => e.scenarios['read-clinician'])
    .map((e) => {
      const b = e.scenarios.read?.load;
      const f = e.scenarios['read-clinician']!.load;
      const pair = (x: number | undefined, y: number) =>
        `${x === undefined ? '—' : ms(x)} / ${ms(y)}`;
      return [
        e.engine,
        String(e.workers),
        b ? int(b.rps) : '—',
        int(f.rps),
        ratio(b && f.rps / b.rps),
        pair(b?.p50, f.p50),
        pair(b?.p99, f.p99),
      ];
    });
  if (rows.length === 0) return undefined;
  return {
    head: [
      'engine',
      'workers',
      '(b) API client req/s',
      '(f) physician req/s',
      '(f) × (b)',
      'p50 ms (b) / (f)',
      'p99 ms (b) / (f)',
    ],
    rows,
    right: [false, true, true, true, true, true, true],
  };
}

function auditTable(r: BenchResults): Table {
  const rows: string[][] = [];
  for (const [e, s, m] of byScenario(r)) {
    const a = m.audit;
    if (!a) continue;
    rows.push([
      e.engine,
      String(e.workers),
      s,
      int(m.load.requests),
      m.server ? int(m.server.received) : '—',
      m.server ? int(m.server.aborted) : '—',
      `${int(a.before)} → ${int(a.after)}`,
      int(a.written),
      a.slack === 0 ? int(a.expected) : `${int(a.expected)}–${int(a.expected + a.slack)}`,
      auditOk(a) ? 'ok' : 'MISMATCH',
    ]);
  }
  return {
    head: [
      'engine',
      'workers',
      'scenario',
      'responses (client)',
      'requests (server)',
      'abandoned at stop',
      'audit entries before → after',
      'written',
      'expected',
      'check',
    ],
    rows,
    right: [false, true, false, true, true, true, true, true, true, false],
  };
}

function cpuTable(r: BenchResults): Table {
  const rows: string[][] = [];
  const row = (engine: string, workers: string, m: Measurement | undefined) => {
    if (!m?.cpu) return;
    const c = m.cpu;
    // Per process for a cluster: the workers, busiest first, then the primary.
    const each = c.serverProcesses?.map((p) => p.split(' ').pop()).join(' + ');
    rows.push([
      engine,
      workers,
      m.scenario,
      each ? `${c.server.toFixed(2)} = ${each}` : c.server.toFixed(2),
      c.loadgen.toFixed(2),
      c.postgres.toFixed(2),
      c.irq.toFixed(2),
      `${c.steal.toFixed(2)}${c.steal > OTHER_CPU_WARN ? ' !' : ''}`,
      `${c.other.toFixed(2)}${c.other > OTHER_CPU_WARN ? ' !' : ''}`,
      c.idle.toFixed(2),
      `${m.hostSpeed.before} / ${m.hostSpeed.after}`,
    ]);
  };
  row('—', '1', r.bare);
  for (const [e, , m] of byScenario(r)) row(e.engine, String(e.workers), m);
  return {
    head: [
      'engine',
      'workers',
      'scenario',
      'Haven (workers + primary)',
      'load generator',
      'PostgreSQL',
      'kernel irq',
      'steal',
      'other',
      'idle',
      'host speed MB/s before / after',
    ],
    rows,
    right: [false, true, false, true, true, true, true, true, true, true, true],
  };
}

function targetTable(r: BenchResults): Table {
  const bare = r.bare?.load.rps;
  const engines = byEngine(r);
  const verdict = (v: number | undefined, goal: number) =>
    v === undefined ? '—' : `${v.toFixed(2)}× ${v >= goal ? 'met' : 'MISSED'}`;
  const rps = (e: EngineResults, s: Scenario) => e.scenarios[s]?.load.rps;
  const vsBare = (e: EngineResults, s: Scenario) => {
    const v = rps(e, s);
    return bare && v !== undefined ? v / bare : undefined;
  };
  const readGoal = (e: EngineResults) =>
    e.engine === 'postgres' ? TARGETS.readVsBarePostgres : TARGETS.readVsBare;
  const sqliteCreate = (workers: number) =>
    engines.find((x) => x.engine === 'sqlite' && x.workers === workers)?.scenarios.create?.load.rps;
  const rows = [
    [
      `1. read ≥ ${TARGETS.readVsBare}× bare (PostgreSQL ≥ ${TARGETS.readVsBarePostgres}×)`,
      ...engines.map((e) => verdict(vsBare(e, 'read'), readGoal(e))),
    ],
    [
      `2. physician read ≥ ${TARGETS.physicianVsClient}× client read`,
      ...engines.map((e) => {
        const f = rps(e, 'read-clinician');
        const b = rps(e, 'read');
        return verdict(f !== undefined && b ? f / b : undefined, TARGETS.physicianVsClient);
      }),
    ],
    [
      `3. search ≥ ${TARGETS.searchVsBare}× bare`,
      ...engines.map((e) => verdict(vsBare(e, 'search'), TARGETS.searchVsBare)),
    ],
    [
      `3. create ≥ ${TARGETS.createVsBare}× bare`,
      ...engines.map((e) => verdict(vsBare(e, 'create'), TARGETS.createVsBare)),
    ],
    [
      '3. PostgreSQL create ≥ SQLite create, same workers',
      ...engines.map((e) => {
        const mine = rps(e, 'create');
        const other = sqliteCreate(e.workers);
        return e.engine !== 'postgres' || e.workers < 2
          ? '—'
          : verdict(mine !== undefined && other ? mine / other : undefined, 1);
      }),
    ],
    [
      `5. overload p99 < ${int(TARGETS.overloadP99Ms)} ms, RSS after ≤ ${RSS_RETURN_LIMIT}× before`,
      ...engines.map((e) =>
        e.overload === undefined
          ? '—'
          : `${int(e.overload.load.p99)} ms, ${e.overload.rssRatio.toFixed(2)}× ${
              e.overload.load.p99 < TARGETS.overloadP99Ms && e.overload.rssRatio <= RSS_RETURN_LIMIT
                ? 'met'
                : 'MISSED'
            }`,
      ),
    ],
    [
      '6. Synthea-size read (b) ÷ small read (g), sizes; import resources/s, Synthea-size / small (no goal; 100 KB+ bundles: bench:interop)',
      ...engines.map((e) => {
        const b = rps(e, 'read');
        const g = rps(e, 'read-small');
        if (b === undefined || !g || !e.small) return '—';
        const imports =
          e.importSeconds && e.small.importSeconds
            ? `; import ${int(e.patients / e.importSeconds)} / ${int(e.small.patients / e.small.importSeconds)}`
            : '';
        return `${(b / g).toFixed(2)}× (${int(e.responseBytes)} B vs ${int(e.small.responseBytes)} B)${imports}`;
      }),
    ],
  ];
  return { head: ['target (issue 19)', ...engines.map(variantName)], rows };
}

/** Engines in run order, each engine's process counts in ascending order. */
function byEngine(r: BenchResults): EngineResults[] {
  const order = [...new Set(r.engines.map((e) => e.engine))];
  return [...r.engines].sort(
    (a, b) => order.indexOf(a.engine) - order.indexOf(b.engine) || a.workers - b.workers,
  );
}

function verifyTable(v: VerifySpeed): Table {
  return {
    head: ['audit trail (SQLite)', 'entries', 'seconds', 'entries/s'],
    rows: [
      [
        'append (group commit, 5,000 in flight)',
        int(v.entries),
        v.appendSeconds.toFixed(1),
        int(v.appendPerSecond),
      ],
      [
        `verifyTrail (${int(v.checkpointsChecked)} checkpoints)${v.ok ? '' : ' FAILED'}`,
        int(v.entries),
        v.verifySeconds.toFixed(1),
        int(v.verifyPerSecond),
      ],
    ],
    right: [false, true, true, true],
  };
}

function text(t: Table): string {
  const all = [t.head, ...t.rows];
  const w = t.head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (t.right?.[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(t.head), w.map((n) => '─'.repeat(n)).join('  '), ...t.rows.map(line)].join('\n');
}

function markdown(t: Table): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [
    `| ${t.head.map(esc).join(' | ')} |`,
    `| ${t.head.map((_, i) => (t.right?.[i] ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}`;
}

/** min–max of the host speed samples of the run, and the spread as a share of the max. */
function speedLine(r: BenchResults): string | undefined {
  const all = [r.bare, ...r.engines.flatMap((e) => ORDER.map((s) => e.scenarios[s]))]
    .filter((m): m is Measurement => m !== undefined)
    .flatMap((m) => [m.hostSpeed.before, m.hostSpeed.after]);
  if (all.length === 0) return undefined;
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return `Host CPU speed index (single-thread SHA-256, sampled around each run): ${lo}–${hi} MB/s, a ${Math.round((100 * (hi - lo)) / hi)}% spread; throughput moves with it, so compare ratios within a run rather than absolute figures across runs.`;
}

function sections(r: BenchResults, render: (t: Table) => string): [string, string][] {
  const person = personTable(r);
  const out: [string, string][] = [
    ['Throughput and latency', render(throughputTable(r))],
    ...(person
      ? [['Reads by a person against reads by an API client', render(person)] as [string, string]]
      : []),
    ['Targets', render(targetTable(r))],
    ['Audit entries written = requests served', render(auditTable(r))],
    [
      'CPU during each measured run (cores; the machine has ' + r.machine.cpus + ')',
      render(cpuTable(r)),
    ],
  ];
  const overload = overloadTable(r);
  if (overload) out.push(['Overload: reads far past the in-flight limit', render(overload)]);
  if (r.verify) out.push(['Audit trail append and verification', render(verifyTable(r.verify))]);
  return out;
}

export function printReport(r: BenchResults): void {
  const s = r.settings;
  console.log(`\nHaven benchmark — ${r.date}`);
  console.log(`Machine: ${machineLine(r.machine)}`);
  console.log(
    `Load: autocannon in a child process, ${s.connections} connections, ${s.seconds}s per scenario after ${s.warmupSeconds}s warm-up, HTTPS keep-alive`,
  );
  for (const e of byEngine(r))
    console.log(
      `${variantName(e)}: ${e.patients} patients seeded in ${e.seedSeconds.toFixed(1)}s, read response ${e.responseBytes} bytes (mean)`,
    );
  const speed = speedLine(r);
  if (speed) console.log(speed);
  for (const [title, body] of sections(r, text)) console.log(`\n${title}\n${body}`);
  console.log(
    "\nworkers 1: Haven in the bench's process; workers N: `haven serve --workers N` (sqlite ×N in the targets). × 1 process: ratio to the same engine and scenario with workers 1; × (a): ratio to the same server's baseline route; × (e): ratio to bare node:https; (f) × (b): the physician's read against the API client's on the same server; Medplum figures are references measured elsewhere on this machine class.",
  );
}

export function writeJson(file: string, r: BenchResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated part of docs/performance.md (between the markers), keeping the prose around it. */
export async function writeDocs(file: string, r: BenchResults): Promise<void> {
  const s = r.settings;
  const body = [
    START,
    '',
    `Measured ${r.date.slice(0, 10)} with \`npm run bench -- --write-docs\`.`,
    '',
    `- Machine: ${machineLine(r.machine)}`,
    `- Load: ${s.connections} connections, ${s.seconds} s per scenario after a ${s.warmupSeconds} s warm-up; ${byEngine(
      r,
    )
      .map(
        (e) => `${variantName(e)}: ${e.patients} patients, read response ${e.responseBytes} bytes`,
      )
      .join('; ')}`,
    ...(speedLine(r) ? [`- ${speedLine(r)}`] : []),
    ...(r.warnings.length > 0
      ? ['', '**Warning: measured on a busy machine:**', '', ...r.warnings.map((w) => `- ${w}`)]
      : []),
    ...sections(r, markdown).flatMap(([title, t]) => ['', `### ${title}`, '', t]),
    '',
    END,
  ].join('\n');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const a = current.indexOf(START);
  const b = current.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file} has no ${START} … ${END} block to update`);
  const text = current.slice(0, a) + body + current.slice(b + END.length);
  // Formatted as `npm run lint` expects (prettier aligns markdown tables).
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}
