/** Bench settings from the environment, and the reference figures the targets are stated against. */
export interface BenchSettings {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  patients: number;
  verifyEntries: number;
  engines: ('sqlite' | 'postgres')[];
  /**
   * Server processes per engine (BENCH_WORKERS, default 1,2): 1 is Haven in the bench's own
   * process, N > 1 is `haven serve --workers N` started from the compiled CLI.
   */
  workers: number[];
  /** Which measurements to run (BENCH_SCENARIOS, default all). */
  scenarios: (Scenario | 'bare' | 'overload')[];
  /** Clients in the overload scenario (BENCH_OVERLOAD_CONNECTIONS, default 256). */
  overloadConnections: number;
  databaseUrl: string;
  writeDocs: boolean;
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be an integer ≥ ${min} (got ${raw})`);
  return n;
}

export function readSettings(argv: string[]): BenchSettings {
  const engines = (process.env.BENCH_ENGINES ?? 'sqlite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const e of engines)
    if (e !== 'sqlite' && e !== 'postgres') throw new Error(`BENCH_ENGINES: unknown engine ${e}`);
  const scenarios = (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scenarios)
    if (!(ALL_SCENARIOS as readonly string[]).includes(s))
      throw new Error(`BENCH_SCENARIOS: unknown scenario ${s} (${ALL_SCENARIOS.join(', ')})`);
  const workers = (process.env.BENCH_WORKERS ?? '1,2')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  for (const n of workers)
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new Error(`BENCH_WORKERS: each entry must be a whole number from 1 to 64 (got ${n})`);
  if (workers.length === 0) throw new Error('BENCH_WORKERS: give at least one worker count');
  return {
    seconds: int('BENCH_SECONDS', 10),
    warmupSeconds: int('BENCH_WARMUP_SECONDS', 3, 0),
    connections: int('BENCH_CONNECTIONS', 32),
    patients: int('BENCH_PATIENTS', 1000),
    verifyEntries: int('BENCH_VERIFY_ENTRIES', 1_000_000, 0),
    engines: engines as ('sqlite' | 'postgres')[],
    workers: [...new Set(workers)].sort((a, b) => a - b),
    scenarios: scenarios as (Scenario | 'bare' | 'overload')[],
    overloadConnections: int('BENCH_OVERLOAD_CONNECTIONS', 256),
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    writeDocs: argv.includes('--write-docs'),
  };
}

/**
 * `read` is an API client (bearer token, type-wide scopes: no relationship lookup);
 * `read-clinician` is the same read by a signed-in physician (session cookie, second factor
 * done), whose access rests on a CareTeam with each patient; `read-small` is `read` of small
 * patients (~360 bytes: name, gender, birth date) beside the Synthea-size ones (issue 19, 6).
 */
export type Scenario = 'baseline' | 'read' | 'read-small' | 'read-clinician' | 'search' | 'create';

export const ALL_SCENARIOS = [
  'bare',
  'baseline',
  'read',
  'read-small',
  'read-clinician',
  'search',
  'create',
  'overload',
] as const;

/** Medplum, measured on this machine class (2 cores), for context. */
export const MEDPLUM_RPS: Partial<Record<Scenario, number>> = {
  read: 490,
  search: 1689,
  create: 547,
};

/** Product targets: read against the bare node:https server, search and create against Medplum. */
/** Issue 19's targets, each against a baseline measured in the same run. */
export const TARGETS = {
  /** (b) × (e) on SQLite; on PostgreSQL `readVsBarePostgres`. */
  readVsBare: 0.5,
  readVsBarePostgres: 0.35,
  /** (f) × (b): a physician's read against an API client's, same server. */
  physicianVsClient: 0.9,
  /** (d) × (e). */
  searchVsBare: 0.4,
  /** (c) × (e). */
  createVsBare: 0.15,
  /** PostgreSQL ×N creates × SQLite ×N creates. */
  postgresCreateVsSqlite: 1,
  /** Overload (c = 256): p99 below this, and RSS after the load within RSS_RETURN_LIMIT. */
  overloadP99Ms: 1000,
} as const;
