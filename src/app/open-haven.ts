import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  AuditedRequests,
  AuditViews,
  auditRecorder,
  auditSigningKey,
  type AuditDraft,
  type AuditRecorder,
  type AuditSigningKey,
} from '../audit/index.js';
import { AccessControl, BreakGlassService, decideAuditView } from '../access/index.js';
import type { RequestContext } from '../auth/index.js';
import { SmtpEnrollmentDelivery, TerminalEnrollmentDelivery } from '../notify/index.js';
import { AlertBus, LogAlertSink, MemoryAlertSink } from '../alerts/index.js';
import type { HavenConfig } from '../config/index.js';
import { BlindIndex, loadOrCreateSystemKey, Vault, type KeyProvider } from '../crypto/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import {
  loadFhirDefinitions,
  rebuildSearchIndex,
  SealedResources,
  type RecordDeps,
} from '../records/index.js';
import {
  AlertRepository,
  VisitRecordingRepository,
  AuditRepository,
  BulkExportRepository,
  BatchWriter,
  UserRepository,
  BreakGlassRepository,
  CareRelationRepository,
  readPathCaches,
  convertLegacyRelations,
  ClientRepository,
  SmartRepository,
  DataKeyRepository,
  LeaseRepository,
  ResourceRepository,
  SystemKeyRepository,
  type Database,
} from '../store/index.js';
import { BatchedDataKeys } from './batched-data-keys.js';
import { auditGroupCommit, writeAuditPublicKey } from './audit-group-commit.js';
import { openKeyProvider } from './key-setup.js';
import { openAlertStream } from './alert-engine.js';
import { alertSubjects } from './alert-subjects.js';
import { openInstallation } from './open-installation.js';
import { relationCipher } from './relation-cipher.js';
import { assemblePeople, type People } from './people.js';
import { openMessaging } from './messaging.js';
import type { MessagingService } from '../messaging/index.js';
import { closeRedis, connectRedis } from './redis-connection.js';
import { assembleScheduling, type Scheduling } from './scheduling.js';
import { BulkExports } from '../bulk/index.js';

/** Everything a running Haven holds, assembled once from the configuration. */
export interface Haven {
  config: HavenConfig;
  /** The clock every time-dependent rule reads (OpenOptions.clock; the system clock by default). */
  clock: () => Date;
  database: Database;
  provider: KeyProvider;
  records: RecordDeps;
  clients: ClientRepository;
  /** SMART apps, their approvals and tokens (ADR 0035). */
  smart: SmartRepository;
  auditRepo: AuditRepository;
  auditKey: AuditSigningKey;
  /** The audit port: how every capability (and the HTTP layer) records an entry. */
  audit: AuditRecorder;
  /** The FHIR AuditEvent views and the accounting of disclosures, each access decided. */
  auditViews: AuditViews<RequestContext>;
  /**
   * The group-commit writer under `audit`: for this composition root, the CLI's maintenance and
   * tests that fill the trail. Capabilities and routes record through `audit` instead.
   */
  writer: BatchWriter<AuditDraft>;
  logger: Logger;
  /** Users, sessions and login throttling. */
  people: People;
  /** Emergency access grants. */
  breakGlass: BreakGlassService;
  /** Appointments, PHI-free notices and the reminder sweep (ADR 0026). */
  scheduling: Scheduling;
  /** Secure messaging between patients and their care teams (ADR 0028). */
  messaging: MessagingService;
  /** FHIR Bulk Data `$export` jobs and their sealed files (ADR 0036). */
  bulk: BulkExports;
  /** Recent security alerts (also written to the log). */
  alerts: MemoryAlertSink;
  /** Stored anomaly alerts (ADR 0030): the rules engine on the audit stream and its sinks. */
  alertStream: ReturnType<typeof openAlertStream>;
  alertRepo: AlertRepository;
  /** Visit recordings' consent gate, state and sealed chunks (ADR 0034). */
  visitRecordings: VisitRecordingRepository;
  /** Request ids whose audit entry is durable (the HTTP refusal hook skips those). */
  auditedRequests: AuditedRequests;
  /** The Redis client when REDIS_URL is set (per-address request limits share their counts). */
  redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  /**
   * Signs a checkpoint over every audit entry not yet covered by one, and resolves once it is
   * durable: `haven serve` on SIGTERM/SIGINT and `haven audit export` call it, so a clean stop
   * or an export leaves no entry outside a signed checkpoint.
   */
  signCheckpoint(): Promise<void>;
  close(): Promise<void>;
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

export interface OpenOptions {
  clock?: () => Date;
  /** The operator's terminal, where enrollment links go without SMTP (default stderr). */
  terminal?: { write(text: string): unknown };
  logger?: Logger;
  /**
   * Whether a missing installation (data directory, database or schema, keyring) may be created.
   * Only `init` and `serve` create one; every other command refuses with NotInstalledError and
   * creates nothing. Defaults to true (the server and tests).
   */
  create?: boolean;
}

export async function openHaven(config: HavenConfig, opts: OpenOptions = {}): Promise<Haven> {
  const clock = opts.clock ?? (() => new Date());
  const logger = opts.logger ?? createLogger(config.logLevel);
  const create = opts.create !== false;
  if (create) fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = await openInstallation(config, create, (code) =>
    logger.warn({ event: 'database-connection-lost', code }, 'a database connection was lost'),
  );
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  let provider: KeyProvider | undefined;
  try {
    // Refuse to start rather than run with a Redis that is not there (every sign-in would fail).
    redis = config.redisUrl
      ? await connectRedis(config.redisUrl, { timeoutMs: config.redisTimeoutMs, logger })
      : undefined;
    const systemKeys = new SystemKeyRepository(database.db, clock);
    const { provider: keys, created } = await openKeyProvider(
      config,
      await systemKeys.any(),
      create,
      clock,
    );
    provider = keys; // closed on any later failure
    if (created) logger.info({ event: 'keyring-created' }, 'created a new local keyring');
    const [indexKey, auditSeed, cursorKey, userDataKey, relationKey] = await Promise.all(
      ['blind-index', 'audit-signing', 'search-cursor', 'user-data', 'relation-data'].map((p) =>
        loadOrCreateSystemKey(p, keys, systemKeys),
      ),
    );
    const auditKey = auditSigningKey(auditSeed!, config.auditOrigin);
    writeAuditPublicKey(config, create, auditKey);
    const auditRepo = new AuditRepository(database.db, database.engine);
    const { writer, auditedRequests, idleTimer, signCheckpoint, observers } = auditGroupCommit(
      config,
      database,
      auditRepo,
      auditKey,
      clock,
      logger,
    );
    const audit = auditRecorder(writer);
    const vault = new Vault({
      provider: keys,
      clock,
      dataKeys: new BatchedDataKeys(new DataKeyRepository(database.db, clock), writer, clock),
    });
    loadFhirDefinitions();
    const blindIndex = new BlindIndex(indexKey!);
    const relationKeys = relationCipher(blindIndex, relationKey!);
    await convertLegacyRelations(database.db, database.engine, relationKeys, clock().toISOString());
    const relations = new CareRelationRepository(
      database.db,
      relationKeys,
      readPathCaches(database.db).facts,
    );
    const resources = new ResourceRepository(database.db);
    const alerts = new MemoryAlertSink();
    // The immediate alerts of break-glass and privilege changes: log and memory. The webhook,
    // syslog and email sinks get every stored alert (these included) from the alert stream.
    const alertBus = new AlertBus(
      [new LogAlertSink((fields, msg) => logger.warn(fields, msg)), alerts],
      (rule) => logger.error({ event: 'alert-sink-failed', rule }, 'an alert sink failed'),
    );
    // Enrollment links go to https://<public URL>/enroll#… (as `haven user add` prints them).
    const publicBase = config.publicUrl ?? `https://localhost:${config.port}`;
    const people = assemblePeople({
      config,
      database,
      audit,
      blindIndex,
      userDataKey: userDataKey!,
      clock,
      redis,
      raiseAlert: (a) => alertBus.raise(a),
      enrollmentDelivery: config.smtpUrl
        ? new SmtpEnrollmentDelivery(config.smtpUrl, config.smtpFrom, publicBase)
        : new TerminalEnrollmentDelivery(opts.terminal ?? process.stderr, publicBase),
    });
    const breakGlass = new BreakGlassService({
      repo: new BreakGlassRepository(database.db, relationKeys),
      audit,
      reasons: {
        seal: (id, owner, reason) =>
          vault.encrypt(
            { resourceType: 'BreakGlassGrant', id, version: 1, owner },
            Buffer.from(reason, 'utf8'),
          ),
        open: async (id, owner, sealed) =>
          (
            await vault.decrypt({ resourceType: 'BreakGlassGrant', id, version: 1, owner }, sealed)
          ).toString('utf8'),
      },
      raiseAlert: (a) => alertBus.raise(a),
      patientExists: async (id) => {
        const head = await resources.head('Patient', id);
        return head !== undefined && !head.deleted;
      },
      clock,
      newId: () => crypto.randomUUID(),
      minutes: config.breakGlassMinutes,
    });
    const sealed = new SealedResources(vault, blindIndex);
    const alertRepo = new AlertRepository(database.db);
    const alertStream = openAlertStream({
      config,
      audit,
      subjects: alertSubjects({
        users: new UserRepository(database.db),
        relations,
        resources,
        sealed,
        blindIndex,
        clock,
      }),
      redis,
      // Derived, not stored: a separate key for address hashes in alerts.
      addressKey: crypto.createHmac('sha256', indexKey!).update('alert-address').digest(),
      clock,
      logger,
      trail: auditRepo,
    });
    if (config.alerts.enabled) observers.push((drafts, at) => alertStream.observe(drafts, at));
    const records: RecordDeps = {
      resources,
      audit,
      sealed,
      clock,
      cursorKey: cursorKey!,
      binaryLimitBytes: config.binaryLimitBytes,
      newId: () => crypto.randomUUID(),
      access: new AccessControl(relations, breakGlass, clock),
      relations,
      leases: new LeaseRepository(database.db),
    };
    // Records indexed under an older search-parameter registry become findable by the new one
    // before any search is served (ADR 0021).
    const reindex = await rebuildSearchIndex({ resources, sealed: records.sealed, clock });
    if (reindex.rebuilt && reindex.records > 0)
      logger.info(
        { event: 'search-index-rebuilt', records: reindex.records, version: reindex.version },
        'search index rebuilt for the current search parameters',
      );
    const scheduling = assembleScheduling({
      config,
      database,
      records,
      audit,
      people,
      logger,
      publicBase,
    });
    const messaging = openMessaging({
      config,
      database,
      records,
      people,
      logger,
      publicBase,
      notifier: scheduling.notifier,
    });
    const bulk = new BulkExports({
      records,
      repo: new BulkExportRepository(database.db),
      provider: keys,
      audit,
      dir: path.join(config.dataDir, 'exports'),
      clock,
      newId: () => crypto.randomUUID(),
      ttlMs: config.bulkExport.ttlMinutes * 60_000,
      perCaller: config.bulkExport.perCaller,
      concurrency: config.bulkExport.concurrency,
    });
    // Expired exports are deleted within a minute (and by every kick-off).
    const bulkSweep = setInterval(() => {
      bulk
        .sweep()
        .catch((e: unknown) =>
          logger.warn(
            { event: 'bulk-export-sweep-failed', code: errorCode(e) },
            'export sweep failed',
          ),
        );
    }, 60_000);
    bulkSweep.unref();
    return {
      config,
      clock,
      database,
      provider: keys,
      records,
      clients: new ClientRepository(database.db, clock, readPathCaches(database.db).clients),
      smart: new SmartRepository(database.db),
      auditRepo,
      auditKey,
      audit,
      auditViews: new AuditViews<RequestContext>({
        repo: auditRepo,
        audit,
        decide: decideAuditView,
        verifiers: [auditKey.verifier],
      }),
      writer,
      logger,
      people,
      breakGlass,
      scheduling,
      messaging,
      bulk,
      alerts,
      alertStream,
      alertRepo,
      visitRecordings: new VisitRecordingRepository(database.db),
      auditedRequests,
      redis,
      signCheckpoint,
      close: async () => {
        clearInterval(idleTimer);
        clearInterval(bulkSweep);
        await bulk.close();
        scheduling.stop();
        await people.close();
        await alertStream.close();
        if (redis) await closeRedis(redis);
        await writer.close();
        await database.close();
        await provider?.close();
      },
    };
  } catch (e) {
    if (redis) await closeRedis(redis);
    await database.close();
    await provider?.close();
    throw e;
  }
}
