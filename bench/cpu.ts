/**
 * Where the machine's CPU went during a measurement (Linux /proc): Haven (the bench's own process,
 * or a `haven serve --workers N` primary and its workers), the load generator, PostgreSQL's
 * processes, and everything else. "Other" above a few percent of a core means something outside
 * the bench shared the cores and the figures are not trustworthy; the busiest such processes are
 * named so the cause can be found.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface CpuSample {
  at: number;
  busyMs: number | undefined;
  /** Interrupt and softirq time (loopback networking lands here), and time stolen by the hypervisor. */
  irqMs: number;
  stealMs: number;
  procs: Map<number, ProcCpu>;
}

export interface ProcCpu {
  comm: string;
  ppid: number;
  /** CPU ms used so far. */
  ms: number;
}

/** Which processes are whose during a measurement. */
export interface CpuRoles {
  /** The server under test: this process, and its direct children when `withChildren` (cluster workers). */
  server: number;
  withChildren: boolean;
  /** The bench's own side: the load generator, and the bench process when it is not the server. */
  bench: number[];
}

/** Haven served from the bench's own process. */
export const IN_PROCESS: CpuRoles = { server: process.pid, withChildren: false, bench: [] };

/** CPU use in cores (1.0 = one core busy for the whole window). */
export interface CpuSplit {
  server: number;
  /** Per server process when Haven runs as several ("worker[pid] 0.81", busiest first; primary last). */
  serverProcesses?: string[];
  loadgen: number;
  postgres: number;
  /** Interrupt/softirq time: mostly the kernel's loopback TCP work for the bench's own traffic. */
  irq: number;
  /** Time the hypervisor gave to other guests. */
  steal: number;
  other: number;
  idle: number;
  /** The busiest processes in "other" (kernel threads included), e.g. "node[1234] 0.85". */
  otherTop: string[];
}

function machineMs(): { busyMs: number | undefined; irqMs: number; stealMs: number } {
  try {
    const f = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return {
      busyMs: (user + nice + system + irq + softirq + steal) * TICK_MS,
      irqMs: (irq + softirq) * TICK_MS,
      stealMs: steal * TICK_MS,
    };
  } catch {
    return { busyMs: undefined, irqMs: 0, stealMs: 0 };
  }
}

function processes(): Map<number, ProcCpu> {
  const out = new Map<number, ProcCpu>();
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of dirs) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      // ppid is field 4, utime and stime are fields 14 and 15 of /proc/pid/stat
      out.set(Number(pid), {
        comm: stat.slice(stat.indexOf('(') + 1, close),
        ppid: Number(rest[1]),
        ms: (Number(rest[11]) + Number(rest[12])) * TICK_MS,
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export function sampleCpu(): CpuSample {
  return { at: performance.now(), ...machineMs(), procs: processes() };
}

/** The direct children of `pid` in a sample (a cluster primary's workers). */
export function childrenOf(sample: CpuSample, pid: number): number[] {
  return [...sample.procs].filter(([, p]) => p.ppid === pid).map(([child]) => child);
}

export function cpuSplit(
  a: CpuSample,
  b: CpuSample,
  roles: CpuRoles,
  cores: number,
): CpuSplit | undefined {
  if (a.busyMs === undefined || b.busyMs === undefined) return undefined;
  const wall = b.at - a.at;
  let server = 0;
  let loadgen = 0;
  let postgres = 0;
  const others: [string, number][] = [];
  const workers: [string, number][] = [];
  let primary = 0;
  for (const [pid, { comm, ppid, ms }] of b.procs) {
    const used = ms - (a.procs.get(pid)?.ms ?? 0);
    if (used <= 0) continue;
    if (roles.bench.includes(pid)) loadgen += used;
    else if (pid === roles.server) {
      server += used;
      primary += used;
    } else if (roles.withChildren && ppid === roles.server) {
      server += used;
      workers.push([`worker[${pid}]`, used]);
    } else if (comm === 'postgres') postgres += used;
    else others.push([`${comm}[${pid}]`, used]);
  }
  const busy = b.busyMs - a.busyMs;
  const irq = b.irqMs - a.irqMs;
  const steal = b.stealMs - a.stealMs;
  const r = (n: number) => Math.round(Math.max(0, n / wall) * 100) / 100;
  return {
    server: r(server),
    ...(roles.withChildren
      ? {
          serverProcesses: [
            ...workers.sort((x, y) => y[1] - x[1]),
            [`primary[${roles.server}]`, primary] as [string, number],
          ].map(([name, ms]) => `${name} ${r(ms).toFixed(2)}`),
        }
      : {}),
    loadgen: r(loadgen),
    postgres: r(postgres),
    irq: r(irq),
    steal: r(steal),
    other: r(busy - server - loadgen - postgres - irq - steal),
    idle: r(cores * wall - busy),
    otherTop: others
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .filter(([, ms]) => ms / wall >= 0.02)
      .map(([name, ms]) => `${name} ${r(ms).toFixed(2)}`),
  };
}

/**
 * Waits (up to maxSeconds) for a 1-second window in which the machine is idle apart from the
 * bench, the Haven under test and PostgreSQL, so that a shared machine's other work does not land
 * in a measurement. Returns the seconds waited, or undefined if it gave up.
 */
export async function waitForQuiet(
  maxSeconds: number,
  threshold: number,
  log: (s: string) => void,
  roles: CpuRoles = IN_PROCESS,
): Promise<number | undefined> {
  const start = performance.now();
  let told = false;
  for (;;) {
    const a = sampleCpu();
    await new Promise((r) => setTimeout(r, 1000));
    const split = cpuSplit(a, sampleCpu(), roles, 1);
    const waited = (performance.now() - start) / 1000;
    if (!split || (split.other < threshold && split.steal < threshold)) return waited;
    if (waited > maxSeconds) return undefined;
    if (!told) {
      log(
        `    waiting for the machine to be quiet (${split.other} cores busy elsewhere: ${split.otherTop.join(', ') || 'short-lived processes'}; ${split.steal} stolen)`,
      );
      told = true;
    }
  }
}

const SPEED_BUF = Buffer.alloc(4096, 7);

/**
 * Host CPU speed index: single-thread SHA-256 throughput in MB/s over `ms`. On a shared host a
 * vCPU's speed varies (other guests on the same cores, SMT siblings) without any steal time
 * showing inside the VM; sampling this around each run makes that variation visible.
 */
export function hostSpeed(ms = 250): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 64; i++) crypto.createHash('sha256').update(SPEED_BUF).digest();
    n += 64;
  }
  return Math.round((n * SPEED_BUF.length) / ((performance.now() - t0) * 1000));
}
