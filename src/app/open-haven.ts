import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  AuditTrail,
  auditSigningKey,
  type AuditDraft,
  type AuditSigningKey,
} from '../audit/index.js';
import { AccessControl, BreakGlassService } from '../access/index.js';
import { AlertBus, LogAlertSink, MemoryAlertSink, WebhookAlertSink } from '../alerts/index.js';
import type { HavenConfig } from '../config/index.js';
import { BlindIndex, loadOrCreateSystemKey, Vault, type KeyProvider } from '../crypto/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import { loadFhirDefinitions, SealedResources, type RecordDeps } from '../records/index.js';
import {
  AuditRepository,
  BatchWriter,
  BreakGlassRepository,
  CareRelationRepository,
  ClientRepository,
  DataKeyRepository,
  openDatabase,
  ResourceRepository,
  SystemKeyRepository,
  type Database,
} from '../store/index.js';
import { BatchedDataKeys } from './batched-data-keys.js';
import { exportCheckpoint, postCheckpoint } from './checkpoint-export.js';
import { openKeyProvider } from './key-setup.js';
import { assemblePeople, type People } from './people.js';
import { closeRedis, connectRedis } from './redis-connection.js';

/** Everything a running Haven holds, assembled once from the configuration. */
export interface Haven {
  config: HavenConfig;
  database: Database;
  provider: KeyProvider;
  records: RecordDeps;
  clients: ClientRepository;
  auditRepo: AuditRepository;
  auditKey: AuditSigningKey;
  writer: BatchWriter<AuditDraft>;
  logger: Logger;
  /** Users, sessions and login throttling. */
  people: People;
  /** Emergency access grants. */
  breakGlass: BreakGlassService;
  /** Recent security alerts (also written to the log). */
  alerts: MemoryAlertSink;
  close(): Promise<void>;
}

export interface OpenOptions {
  clock?: () => Date;
  logger?: Logger;
}

export async function openHaven(config: HavenConfig, opts: OpenOptions = {}): Promise<Haven> {
  const clock = opts.clock ?? (() => new Date());
  const logger = opts.logger ?? createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    sqlitePath: path.join(config.dataDir, 'haven.db'),
    // A terminated backend or a PostgreSQL restart costs the requests using that connection a
    // 503; the pool reconnects on the next checkout.
    onConnectionError: (code) =>
      logger.warn({ event: 'database-connection-lost', code }, 'a database connection was lost'),
  });
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    // Refuse to start rather than run with a Redis that is not there (every sign-in would fail).
    redis = config.redisUrl
      ? await connectRedis(config.redisUrl, { timeoutMs: config.redisTimeoutMs, logger })
      : undefined;
    const systemKeys = new SystemKeyRepository(database.db);
    const { provider, created } = await openKeyProvider(config.keyringPath, await systemKeys.any());
    if (created) logger.info({ event: 'keyring-created' }, 'created a new local keyring');
    const [indexKey, auditSeed, cursorKey, userDataKey] = await Promise.all(
      ['blind-index', 'audit-signing', 'search-cursor', 'user-data'].map((p) =>
        loadOrCreateSystemKey(p, provider, systemKeys),
      ),
    );
    const auditKey = auditSigningKey(auditSeed!, config.auditOrigin);
    fs.writeFileSync(
      path.join(config.dataDir, 'audit-public-key.txt'),
      `${auditKey.verifierKey}\n`,
    );
    const auditRepo = new AuditRepository(database.db, database.engine);
    const checkpointDir = path.join(config.dataDir, 'audit-checkpoints');
    const trail = new AuditTrail({
      repo: auditRepo,
      signer: auditKey.signer,
      origin: config.auditOrigin,
      clock,
      checkpointEveryEntries: config.checkpointEveryEntries,
      checkpointEveryMs: config.checkpointEveryMs,
      onCheckpoint: (note, size) => {
        exportCheckpoint(checkpointDir, note, size);
        if (config.checkpointWebhook) {
          postCheckpoint(config.checkpointWebhook, note, (code) =>
            logger.warn(
              { event: 'checkpoint-webhook-failed', code, size },
              'checkpoint webhook failed',
            ),
          );
        }
      },
    });
    const writer = new BatchWriter<AuditDraft>(
      database.writeDb,
      database.engine,
      trail.finalize,
      trail.afterCommit,
    );
    // Idle checkpoints: an empty batch every interval signs whatever is not yet covered.
    const idleTimer = setInterval(
      () => void writer.submit({ onSuccess: () => [], onFailure: () => [] }).catch(() => undefined),
      config.checkpointEveryMs,
    );
    idleTimer.unref();
    const vault = new Vault({
      provider,
      dataKeys: new BatchedDataKeys(new DataKeyRepository(database.db), writer),
    });
    loadFhirDefinitions();
    const blindIndex = new BlindIndex(indexKey!);
    const people = assemblePeople({
      config,
      database,
      writer,
      blindIndex,
      userDataKey: userDataKey!,
      clock,
      redis,
    });
    const resources = new ResourceRepository(database.db);
    const alerts = new MemoryAlertSink();
    const alertBus = new AlertBus(
      [
        new LogAlertSink((fields, msg) => logger.warn(fields, msg)),
        alerts,
        ...(config.alertWebhook ? [new WebhookAlertSink(config.alertWebhook)] : []),
      ],
      (rule) => logger.error({ event: 'alert-sink-failed', rule }, 'an alert sink failed'),
    );
    const breakGlass = new BreakGlassService({
      repo: new BreakGlassRepository(database.db),
      writer,
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
    const records: RecordDeps = {
      resources,
      writer,
      sealed: new SealedResources(vault, blindIndex),
      clock,
      cursorKey: cursorKey!,
      binaryLimitBytes: config.binaryLimitBytes,
      newId: () => crypto.randomUUID(),
      access: new AccessControl(new CareRelationRepository(database.db), breakGlass, clock),
    };
    return {
      config,
      database,
      provider,
      records,
      clients: new ClientRepository(database.db),
      auditRepo,
      auditKey,
      writer,
      logger,
      people,
      breakGlass,
      alerts,
      close: async () => {
        clearInterval(idleTimer);
        await people.close();
        if (redis) await closeRedis(redis);
        await writer.close();
        await database.close();
      },
    };
  } catch (e) {
    if (redis) await closeRedis(redis);
    await database.close();
    throw e;
  }
}
