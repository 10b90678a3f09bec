/**
 * One measured `haven backup` or `haven restore` for bench/backup.ts, in a process of its own so
 * that its memory is its own: `node --import tsx bench/backup-child.ts backup|restore JSON`.
 * Samples RSS and V8 heap every 10 ms from just before the operation to its end and prints one
 * JSON line: seconds, rows, file bytes, and memory before and at peak.
 */
import { backupHaven, openHaven, restoreHaven } from '../src/app/index.js';
import { resolveConfig } from '../src/config/index.js';
import { createLogger } from '../src/logging/index.js';

interface Job {
  mode: 'backup' | 'restore';
  data: string;
  keyring?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  file: string;
}

const MiB = 2 ** 20;
const job = JSON.parse(process.argv[2]!) as Job;
const config = resolveConfig(
  {
    data: job.data,
    port: 0,
    ...(job.keyring && { keyring: job.keyring }),
    ...(job.databaseUrl && { databaseUrl: job.databaseUrl, databaseSchema: job.databaseSchema }),
  },
  {},
);
const haven =
  job.mode === 'backup'
    ? await openHaven(config, { logger: createLogger('silent', undefined) })
    : undefined;
const mem = () => process.memoryUsage();
const before = mem();
const peak = { rss: before.rss, heap: before.heapUsed, external: before.external };
const timer = setInterval(() => {
  const m = mem();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heap = Math.max(peak.heap, m.heapUsed);
  peak.external = Math.max(peak.external, m.external + m.arrayBuffers);
}, 10);
const t0 = performance.now();
let rows: number;
let bytes = 0;
if (haven) {
  const s = await backupHaven(haven, job.file);
  rows = s.rows;
  bytes = s.bytes;
} else {
  rows = (await restoreHaven(config, job.file)).rows;
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
await haven?.close();
console.log(
  JSON.stringify({
    seconds,
    rows,
    bytes,
    rssBeforeMiB: before.rss / MiB,
    rssPeakMiB: peak.rss / MiB,
    heapBeforeMiB: before.heapUsed / MiB,
    heapPeakMiB: peak.heap / MiB,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
