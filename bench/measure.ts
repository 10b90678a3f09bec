/**
 * One measured scenario: optional warm-up, then the measured run, with the audit-trail count taken
 * around it and checked against the requests served: as the server counted them (Haven in this
 * process), or as the client counted responses (Haven as separate worker processes).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import type { Scenario } from './config.js';
import {
  childrenOf,
  cpuSplit,
  hostSpeed,
  IN_PROCESS,
  sampleCpu,
  waitForQuiet,
  type CpuRoles,
  type CpuSample,
  type CpuSplit,
} from './cpu.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import type { RequestCounter } from './servers.js';

export interface AuditCheck {
  before: number;
  after: number;
  written: number;
  /**
   * What `expected` counts: requests the server received (exact), or responses the client
   * received, when the server runs in other processes and cannot be counted from here.
   */
  basis: 'server' | 'client';
  /** Entries the scenario should have written: one per request received, or per response. */
  expected: number;
  /**
   * Extra entries allowed above `expected`: 0 on the server basis; on the client basis one per
   * connection, for the requests in flight when the load generator stopped, which the server
   * still serves and audits but whose responses nobody reads.
   */
  slack: number;
}

export const auditOk = (a: AuditCheck) =>
  a.written >= a.expected && a.written <= a.expected + a.slack;

export interface ServerCounts {
  received: number;
  finished: number;
  /** Requests whose connection the load generator closed at the end of the run, before the reply. */
  aborted: number;
  non2xx: number;
}

export interface Measurement {
  scenario: Scenario | 'bare';
  load: LoadResult;
  /** Server-side counts; absent when Haven runs in other processes. */
  server?: ServerCounts;
  audit?: AuditCheck;
  /** Cores used during the measured run, by whom (Linux only). */
  cpu?: CpuSplit;
  problems: string[];
  warnings: string[];
  /** Host CPU speed index (MB/s single-thread SHA-256) just before and just after the run. */
  hostSpeed: { before: number; after: number };
  /** How many runs it took to get one on a quiet machine. */
  attempts?: number;
}

export interface Subject {
  /** Requests as the server sees them; absent when the server runs in other processes. */
  requests?: RequestCounter;
  /** Audit entry count (absent for the bare server). */
  countAudit?: () => Promise<number>;
  /** Audit entries each request writes (0 for the baseline route). */
  auditPerRequest: number;
  /** Haven as `haven serve --workers N`: its primary process, and how many workers it should have. */
  cluster?: { primary: number; workers: number };
}

/** Cores of foreign CPU use above which a run is flagged (kernel softirq work shows up here too). */
export const OTHER_CPU_WARN = 0.15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function snapshot(c: RequestCounter | undefined) {
  if (!c) return undefined;
  return {
    received: c.received,
    finished: c.finished,
    aborted: c.aborted,
    byStatus: new Map(c.byStatus),
  };
}

/**
 * Waits until every received request has been answered or abandoned and the audit count is still.
 * Without a server-side counter it waits for at least one entry per client response and a longer
 * still period, for the requests abandoned at the stop that the workers are still finishing.
 */
async function settle(
  subject: Subject,
  auditBefore: number,
  receivedBefore: number,
  responses: number,
): Promise<number> {
  const deadline = Date.now() + 15_000;
  const c = subject.requests;
  const still = c ? 300 : 1000;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = subject.countAudit ? await subject.countAudit() : 0;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
    const open = c ? c.received - c.finished - c.aborted : 0;
    const expected = (c ? c.received - receivedBefore : responses) * subject.auditPerRequest;
    const caughtUp = !subject.countAudit || n - auditBefore >= expected;
    if ((open === 0 && caughtUp && Date.now() - stableSince >= still) || Date.now() > deadline)
      return n;
    await sleep(50);
  }
}

/** Measures; a run spoiled by foreign CPU use is taken again, up to BENCH_RETRIES (default 2) times. */
export async function measure(
  scenario: Scenario | 'bare',
  subject: Subject,
  spec: LoadSpec,
  warmupSeconds: number,
  log: (s: string) => void,
): Promise<Measurement> {
  const retries = Number(process.env.BENCH_RETRIES ?? 2);
  for (let attempt = 0; ; attempt++) {
    const m = await measureOnce(scenario, subject, spec, warmupSeconds, log);
    if (m.warnings.length === 0 || m.problems.length > 0 || attempt >= retries)
      return { ...m, attempts: attempt + 1 };
    log(`    ${m.warnings.join('; ')} — measuring again`);
  }
}

async function measureOnce(
  scenario: Scenario | 'bare',
  subject: Subject,
  spec: LoadSpec,
  warmupSeconds: number,
  log: (s: string) => void,
): Promise<Measurement> {
  const roles = (loadgen?: number): CpuRoles =>
    subject.cluster
      ? {
          server: subject.cluster.primary,
          withChildren: true,
          bench: [process.pid, ...(loadgen ? [loadgen] : [])],
        }
      : { ...IN_PROCESS, bench: loadgen ? [loadgen] : [] };
  if (warmupSeconds > 0) {
    log(`  ${scenario}: warm-up ${warmupSeconds}s`);
    const a = subject.countAudit ? await subject.countAudit() : 0;
    const r0 = subject.requests?.received ?? 0;
    const warm = await runLoad({ ...spec, seconds: warmupSeconds });
    await settle(subject, a, r0, warm.requests);
  }
  const quietWait = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 120);
  if (
    quietWait > 0 &&
    (await waitForQuiet(quietWait, OTHER_CPU_WARN / 2, log, roles())) === undefined
  ) {
    log(`    the machine stayed busy for ${quietWait}s; measuring anyway`);
  }
  log(`  ${scenario}: ${spec.seconds}s at ${spec.connections} connections`);
  const auditBefore = subject.countAudit ? await subject.countAudit() : 0;
  const s0 = snapshot(subject.requests);
  const speedBefore = hostSpeed();
  let c0: CpuSample | undefined;
  let c1: CpuSample | undefined;
  let loadgenPid: number | undefined;
  // BENCH_CPU_PROFILE=DIR: V8's CPU profiler (what `node --cpu-prof` uses) over the measured run
  // of Haven in this process only, written as DIR/<scenario>-<time>.cpuprofile.
  const profileDir = subject.requests ? process.env.BENCH_CPU_PROFILE : undefined;
  const profiler = profileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
  }
  const load = await runLoad(spec, {
    onStart: (pid) => {
      loadgenPid = pid;
      c0 = sampleCpu();
      void profiler?.post('Profiler.start');
    },
    onEnd: () => (c1 = sampleCpu()),
  });
  if (profiler && profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(profileDir, { recursive: true });
    const file = path.join(profileDir, `${scenario}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    log(`    CPU profile: ${file}`);
  }
  const cpu = c0 && c1 ? cpuSplit(c0, c1, roles(loadgenPid), os.availableParallelism()) : undefined;
  const speedAfter = hostSpeed();
  const auditAfter = await settle(subject, auditBefore, s0?.received ?? 0, load.requests);
  const s1 = snapshot(subject.requests);
  let server: ServerCounts | undefined;
  if (s0 && s1) {
    let non2xx = 0;
    for (const [code, n] of s1.byStatus)
      if (code < 200 || code > 299) non2xx += n - (s0.byStatus.get(code) ?? 0);
    server = {
      received: s1.received - s0.received,
      finished: s1.finished - s0.finished,
      aborted: s1.aborted - s0.aborted,
      non2xx,
    };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  if (subject.cluster && c0 && c1) {
    // A worker that died mid-run would be replaced silently; its requests would be missing.
    const w0 = childrenOf(c0, subject.cluster.primary).sort().join(',');
    const w1 = childrenOf(c1, subject.cluster.primary).sort().join(',');
    const n = subject.cluster.workers;
    if (w0 !== w1 || w1.split(',').filter(Boolean).length !== n)
      problems.push(
        `the cluster's worker processes changed or are not ${n} during the run (before: ${w0 || 'none'}; after: ${w1 || 'none'})`,
      );
  }
  if (cpu && cpu.steal > OTHER_CPU_WARN) {
    warnings.push(
      `the hypervisor stole ${cpu.steal} cores during this run: the host was busy, figures are unreliable`,
    );
  }
  if (cpu && cpu.other > OTHER_CPU_WARN) {
    warnings.push(
      `${cpu.other} cores used outside the bench during this run (${cpu.otherTop.join(', ') || 'processes that exited during the run, or kernel time'}): the machine was not quiet, figures are unreliable`,
    );
  }
  if (load.errors > 0)
    problems.push(`${load.errors} connection errors (${load.timeouts} timeouts)`);
  if (load.non2xx > 0)
    problems.push(`${load.non2xx} non-2xx responses: ${JSON.stringify(load.statusCodes)}`);
  if (server && server.non2xx > 0)
    problems.push(
      `server answered ${server.non2xx} non-2xx responses: ${JSON.stringify(Object.fromEntries(s1!.byStatus))}`,
    );
  if (load.requests === 0) problems.push('no request completed');
  let audit: AuditCheck | undefined;
  if (subject.countAudit) {
    const k = subject.auditPerRequest;
    audit = {
      before: auditBefore,
      after: auditAfter,
      written: auditAfter - auditBefore,
      ...(server
        ? { basis: 'server', expected: server.received * k, slack: 0 }
        : { basis: 'client', expected: load.requests * k, slack: spec.connections * k }),
    };
    if (!auditOk(audit)) {
      problems.push(
        server
          ? `AUDIT MISMATCH: ${audit.written} entries written for ${server.received} requests received (expected ${audit.expected})`
          : `AUDIT MISMATCH: ${audit.written} entries written for ${load.requests} responses (expected ${audit.expected}–${audit.expected + audit.slack}: one per response, plus at most one per connection for requests abandoned at the stop)`,
      );
    }
  }
  return {
    scenario,
    load,
    ...(server ? { server } : {}),
    ...(audit ? { audit } : {}),
    ...(cpu ? { cpu } : {}),
    hostSpeed: { before: speedBefore, after: speedAfter },
    problems,
    warnings,
  };
}
