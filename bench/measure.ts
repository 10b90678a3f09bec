/**
 * One measured scenario: optional warm-up, then the measured run, with the server-side request
 * counts and the audit-trail count taken around it and checked against each other.
 */
import os from 'node:os';
import type { Scenario } from './config.js';
import {
  cpuSplit,
  hostSpeed,
  sampleCpu,
  waitForQuiet,
  type CpuSample,
  type CpuSplit,
} from './cpu.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import type { RequestCounter } from './servers.js';

export interface AuditCheck {
  before: number;
  after: number;
  written: number;
  /** Entries the scenario should have written: one per request the server received. */
  expected: number;
}

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
  server: ServerCounts;
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
  requests: RequestCounter;
  /** Audit entry count (absent for the bare server). */
  countAudit?: () => Promise<number>;
  /** Audit entries each request writes (0 for the baseline route). */
  auditPerRequest: number;
}

/** Cores of foreign CPU use above which a run is flagged (kernel softirq work shows up here too). */
export const OTHER_CPU_WARN = 0.15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function snapshot(c: RequestCounter) {
  return {
    received: c.received,
    finished: c.finished,
    aborted: c.aborted,
    byStatus: new Map(c.byStatus),
  };
}

/** Waits until every received request has been answered or abandoned and the audit count is still. */
async function settle(
  subject: Subject,
  auditBefore: number,
  receivedBefore: number,
): Promise<number> {
  const deadline = Date.now() + 15_000;
  const c = subject.requests;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = subject.countAudit ? await subject.countAudit() : 0;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
    const open = c.received - c.finished - c.aborted;
    const expected = (c.received - receivedBefore) * subject.auditPerRequest;
    const caughtUp = !subject.countAudit || n - auditBefore >= expected;
    if ((open === 0 && caughtUp && Date.now() - stableSince >= 300) || Date.now() > deadline)
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
  if (warmupSeconds > 0) {
    log(`  ${scenario}: warm-up ${warmupSeconds}s`);
    const a = subject.countAudit ? await subject.countAudit() : 0;
    const r0 = subject.requests.received;
    await runLoad({ ...spec, seconds: warmupSeconds });
    await settle(subject, a, r0);
  }
  const quietWait = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 120);
  if (quietWait > 0 && (await waitForQuiet(quietWait, OTHER_CPU_WARN / 2, log)) === undefined) {
    log(`    the machine stayed busy for ${quietWait}s; measuring anyway`);
  }
  log(`  ${scenario}: ${spec.seconds}s at ${spec.connections} connections`);
  const auditBefore = subject.countAudit ? await subject.countAudit() : 0;
  const s0 = snapshot(subject.requests);
  const speedBefore = hostSpeed();
  let c0: CpuSample | undefined;
  let c1: CpuSample | undefined;
  let loadgenPid: number | undefined;
  const load = await runLoad(spec, {
    onStart: (pid) => {
      loadgenPid = pid;
      c0 = sampleCpu();
    },
    onEnd: () => (c1 = sampleCpu()),
  });
  const cpu = c0 && c1 ? cpuSplit(c0, c1, loadgenPid, os.availableParallelism()) : undefined;
  const speedAfter = hostSpeed();
  const auditAfter = await settle(subject, auditBefore, s0.received);
  const s1 = snapshot(subject.requests);
  let non2xx = 0;
  for (const [code, n] of s1.byStatus)
    if (code < 200 || code > 299) non2xx += n - (s0.byStatus.get(code) ?? 0);
  const server: ServerCounts = {
    received: s1.received - s0.received,
    finished: s1.finished - s0.finished,
    aborted: s1.aborted - s0.aborted,
    non2xx,
  };
  const problems: string[] = [];
  const warnings: string[] = [];
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
  if (server.non2xx > 0)
    problems.push(
      `server answered ${server.non2xx} non-2xx responses: ${JSON.stringify(Object.fromEntries(s1.byStatus))}`,
    );
  if (load.requests === 0) problems.push('no request completed');
  let audit: AuditCheck | undefined;
  if (subject.countAudit) {
    audit = {
      before: auditBefore,
      after: auditAfter,
      written: auditAfter - auditBefore,
      expected: server.received * subject.auditPerRequest,
    };
    if (audit.written !== audit.expected) {
      problems.push(
        `AUDIT MISMATCH: ${audit.written} entries written for ${server.received} requests received (expected ${audit.expected})`,
      );
    }
  }
  return {
    scenario,
    load,
    server,
    ...(audit ? { audit } : {}),
    ...(cpu ? { cpu } : {}),
    hostSpeed: { before: speedBefore, after: speedAfter },
    problems,
    warnings,
  };
}
