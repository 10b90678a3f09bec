import cluster from 'node:cluster';
import { backupHaven, openHaven, type Haven } from '../../app/index.js';
import { commonPasswordSet } from '../../auth/index.js';
import type { HavenConfig } from '../../config/index.js';
import { ensureDevCertificate, startServer } from '../../http/index.js';
import { CliFailure, configFrom, print, type CommonFlags } from '../common.js';
import { SOFTWARE } from '../software.js';
import path from 'node:path';
import { BackupSchedule, parseInterval } from '../../backup/index.js';

/**
 * `--backup-every 24h --backup-keep 30 [--backup-dir DIR]`: a backup whenever one is due by the
 * installation's clock (checked each minute), keeping the newest N files (ADR 0029).
 */
function scheduleBackups(haven: Haven, flags: ServeFlags): NodeJS.Timeout | undefined {
  if (!flags.backupEvery) return undefined;
  let everyMs: number;
  try {
    everyMs = parseInterval(flags.backupEvery);
  } catch (e) {
    throw new CliFailure(`--backup-every: ${(e as Error).message}`, 64);
  }
  const keep = Number(flags.backupKeep ?? 30);
  if (!Number.isInteger(keep) || keep < 1) throw new CliFailure('--backup-keep must be >= 1', 64);
  const schedule = new BackupSchedule({
    dir: flags.backupDir ?? path.join(haven.config.dataDir, 'backups'),
    everyMs,
    keep,
    clock: haven.clock,
    run: (file) => backupHaven(haven, file),
    onError: (e) =>
      haven.logger.error(
        { event: 'backup-failed', code: (e as { code?: string }).code ?? 'error' },
        'scheduled backup failed',
      ),
  });
  void schedule.runDue();
  const timer = setInterval(() => void schedule.runDue(), 60_000);
  timer.unref();
  return timer;
}

export interface ServeFlags extends CommonFlags {
  benchBaseline?: boolean;
  publicUrl?: string;
  workers?: string;
  demo?: boolean;
  backupEvery?: string;
  backupKeep?: string;
  backupDir?: string;
}

interface Listening {
  url: string;
  certificate: string;
}

/** `haven serve` (declared in ../tree/server.ts). */
export async function serve(flags: ServeFlags): Promise<void> {
  const config = configFrom(flags);
  const workers = Number(flags.workers ?? process.env.HAVEN_WORKERS ?? 1);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new CliFailure('--workers must be a whole number from 1 to 64', 64);
  }
  if (cluster.isWorker) {
    const listening = await serveHere(config, flags);
    process.send?.({ type: 'listening', ...listening });
    return;
  }
  if (workers === 1) {
    announce(flags, config, await serveHere(config, flags));
    return;
  }
  await superviseWorkers(config, flags, workers);
}

/** One server process: open everything, listen, stop cleanly on a signal. */
async function serveHere(config: HavenConfig, flags: ServeFlags): Promise<Listening> {
  // Load the breached-password list now (about half a second) rather than on a first sign-in.
  commonPasswordSet();
  const haven = await openHaven(config);
  if (flags.demo === true && !cluster.isWorker) await seedDemoOnce(haven, flags);
  const server = await startServer(haven, {
    software: SOFTWARE,
    publicBaseUrl: flags.publicUrl,
    benchBaseline: flags.benchBaseline === true,
  });
  const backups = scheduleBackups(haven, flags);
  const stop = async () => {
    if (backups) clearInterval(backups);
    await server.close();
    // Every request has been answered: sign a checkpoint over the newest entries, so an export
    // after this clean stop holds all of them (a worker of --workers does the same).
    await haven
      .signCheckpoint()
      .catch(() =>
        haven.logger.warn(
          { event: 'final-checkpoint-failed' },
          'no final audit checkpoint: the newest entries stay unsigned until the next start',
        ),
      );
    await haven.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return { url: server.url, certificate: server.certificate.certPath };
}

/**
 * `serve --demo` (and `npm start -- --demo`): the demo clinic on a new installation; on one that
 * already has people, a note and the server starts as it is (the details were shown once).
 */
async function seedDemoOnce(haven: Haven, flags: ServeFlags): Promise<void> {
  const { printDemo, seedFor } = await import('./demo.js');
  if ((await haven.people.users.list()).length > 0) {
    process.stdout.write('haven: --demo: this installation already has people; not seeding\n');
    return;
  }
  printDemo(flags, await seedFor(haven, flags));
}

/**
 * Several processes share one port (node:cluster), so a host's cores all serve requests. The
 * first-run work — migrations, keyring, system keys, development certificate — happens here
 * once, before any worker starts, so workers never race to create them. A worker that dies is
 * replaced; the audit trail stays one contiguous chain across processes (see the multi-process
 * test), since every batch takes the database's write lock.
 */
async function superviseWorkers(
  config: HavenConfig,
  flags: ServeFlags,
  workers: number,
): Promise<void> {
  const setup = await openHaven(config);
  if (flags.demo === true) await seedDemoOnce(setup, flags);
  await setup.close();
  if (!config.redisUrl) {
    // Sessions are shared through the database, but WebAuthn challenges live in each process's
    // memory unless Redis is configured, so a passkey ceremony could land on another worker.
    process.stderr.write(
      'haven: passkey sign-in with --workers > 1 needs REDIS_URL (challenges are per process without it)\n',
    );
  }
  if (!config.tlsCertPath) await ensureDevCertificate(config.dataDir);
  let stopping = false;
  let announced = false;
  const fork = () =>
    cluster.fork().on('message', (m: { type?: string } & Listening) => {
      if (m.type === 'listening' && !announced) {
        announced = true;
        announce(flags, config, m, workers);
      }
    });
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', () => {
    if (!stopping) fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        process.exit(0);
      }
    }, 50);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function announce(flags: ServeFlags, config: HavenConfig, l: Listening, workers = 1): void {
  const text = [
    `Haven is listening on ${l.url}  (FHIR R4: ${l.url}/fhir/R4)${workers > 1 ? ` with ${workers} worker processes` : ''}`,
    `Database: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}; keyring: ${config.keyringPath}`,
    config.tlsCertPath
      ? 'TLS: operator certificate'
      : `TLS: development certificate ${l.certificate} (trust it in your client, or pass --cert/--key)`,
    `Get a credential: npm run haven -- client add --name my-app --scopes "system/*.rs system/Patient.cu"`,
  ].join('\n');
  print(flags, { url: l.url, fhir: `${l.url}/fhir/R4`, certificate: l.certificate, workers }, text);
}
