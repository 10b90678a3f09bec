/**
 * The overload scenario: far more clients than the server admits at once (256 by default against
 * the in-flight limit, HAVEN_MAX_IN_FLIGHT), reading patients. What it shows: the latency of
 * every answer (served or refused) stays bounded, because requests past the limit are refused at
 * once with 503 + Retry-After instead of queueing; the audit trail holds one entry per request
 * served; and the server's memory (RSS) comes back to within 10% of its pre-load level once the
 * load has ended and the garbage collector has run. Only for Haven in the bench's own process,
 * whose memory the bench can read and collect.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import type { RequestCounter } from './servers.js';

export interface OverloadResult {
  connections: number;
  load: LoadResult;
  served: number;
  refused: number;
  /** Requests in flight when the load stopped: served and audited, answer unread. */
  abandoned: number;
  auditWritten: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  /** rssAfter / rssBefore. */
  rssRatio: number;
  problems: string[];
}

export const RSS_RETURN_LIMIT = 1.1;

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The collector, exposed at run time (no --expose-gc needed on the command line). */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Full collections until the heap stops shrinking, then the settled RSS. */
async function settledRss(gc: () => void): Promise<number> {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await sleep(200);
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.99) break;
    last = used;
  }
  return process.memoryUsage().rss;
}

export async function measureOverload(
  spec: LoadSpec,
  requests: RequestCounter,
  countAudit: () => Promise<number>,
  log: (s: string) => void,
): Promise<OverloadResult> {
  const gc = collector();
  // Pre-load level after a short ordinary load, so one-time allocations (JIT, caches, TLS
  // contexts, the statement cache) are already in it.
  await runLoad({ ...spec, connections: 32, seconds: 3 });
  const before = await settledRss(gc);
  const audit0 = await countAudit();
  const s0 = new Map(requests.byStatus);
  const received0 = requests.received;
  const aborted0 = requests.aborted;
  log(`  overload: ${spec.seconds}s at ${spec.connections} connections`);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const load = await runLoad(spec);
  clearInterval(sampler);
  // Everything received has been answered or abandoned (or a minute has passed: reported below).
  const open = () => requests.received - requests.finished - requests.aborted;
  const deadline = Date.now() + 60_000;
  while (open() > 0 && Date.now() < deadline) await sleep(50);
  const stillOpen = open();
  const after = await settledRss(gc);
  const delta = (code: number) => (requests.byStatus.get(code) ?? 0) - (s0.get(code) ?? 0);
  const served = delta(200);
  const refused = delta(503);
  const auditWritten = (await countAudit()) - audit0;
  const problems: string[] = [];
  let other = 0;
  for (const [code, n] of requests.byStatus)
    if (code !== 200 && code !== 503) other += n - (s0.get(code) ?? 0);
  if (other > 0) problems.push(`${other} answers neither 200 nor 503`);
  if (stillOpen > 0)
    problems.push(`${stillOpen} requests still unanswered a minute after the load`);
  if (requests.received - received0 === 0) problems.push('no request reached the server');
  // Reads in flight when the load generator stopped are served and audited, but nobody reads
  // their answers (aborted): one entry per 200, plus at most one per abandoned request.
  const abandoned = requests.aborted - aborted0;
  if (auditWritten < served || auditWritten > served + abandoned)
    problems.push(
      `AUDIT MISMATCH: ${auditWritten} entries for ${served} reads served and ${abandoned} abandoned at the stop`,
    );
  if (load.errors > 0)
    problems.push(`${load.errors} connection errors (${load.timeouts} timeouts)`);
  const rssRatio = after / before;
  if (rssRatio > RSS_RETURN_LIMIT)
    problems.push(
      `RSS did not return: ${(after / MiB).toFixed(0)} MiB after against ${(before / MiB).toFixed(0)} MiB before`,
    );
  return {
    connections: spec.connections,
    load,
    served,
    refused,
    abandoned,
    auditWritten,
    rssBeforeMiB: Math.round(before / MiB),
    rssPeakMiB: Math.round(peak / MiB),
    rssAfterMiB: Math.round(after / MiB),
    rssRatio,
    problems,
  };
}
