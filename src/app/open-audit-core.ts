import fs from 'node:fs';
import {
  AuditedRequests,
  auditRecorder,
  auditSigningKey,
  type AuditRecorder,
  type AuditDraft,
  type AuditSigningKey,
} from '../audit/index.js';
import type { HavenConfig } from '../config/index.js';
import { loadOrCreateSystemKey, type KeyProvider } from '../crypto/index.js';
import { createLogger, type Logger } from '../logging/index.js';
import {
  AuditRepository,
  BatchWriter,
  SystemKeyRepository,
  type Database,
} from '../store/index.js';
import { auditGroupCommit, writeAuditPublicKey } from './audit-group-commit.js';
import { openKeyProvider } from './key-setup.js';
import type { OpenOptions } from './open-haven.js';
import { openInstallation } from './open-installation.js';

/**
 * The part of Haven every audited one-shot command needs: the database, the keyring, the audit
 * signing key and the audit trail's group commit. No FHIR definitions, no HTTP, no sessions or
 * Redis, so `haven audit verify` and friends start in a fraction of a full open (decision 0022).
 * It is assembled exactly as openHaven assembles the same pieces.
 */
export interface AuditCore {
  config: HavenConfig;
  clock: () => Date;
  database: Database;
  provider: KeyProvider;
  /** The installation's system keys (wrapped by the keyring), for openers that build on this. */
  systemKeys: SystemKeyRepository;
  auditRepo: AuditRepository;
  auditKey: AuditSigningKey;
  writer: BatchWriter<AuditDraft>;
  /** How a command records its own audit entries (the port every capability uses). */
  audit: AuditRecorder;
  logger: Logger;
  auditedRequests: AuditedRequests;
  /** As Haven.signCheckpoint: resolves once a checkpoint over every entry is durable. */
  signCheckpoint(): Promise<void>;
  close(): Promise<void>;
}

export async function openAuditCore(
  config: HavenConfig,
  opts: OpenOptions = {},
): Promise<AuditCore> {
  const clock = opts.clock ?? (() => new Date());
  const logger = opts.logger ?? createLogger(config.logLevel);
  const create = opts.create !== false;
  if (create) fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = await openInstallation(config, create, (code) =>
    logger.warn({ event: 'database-connection-lost', code }, 'a database connection was lost'),
  );
  let opened: KeyProvider | undefined;
  try {
    const systemKeys = new SystemKeyRepository(database.db, clock);
    const { provider, created } = await openKeyProvider(
      config,
      await systemKeys.any(),
      create,
      clock,
    );
    opened = provider; // closed on any later failure
    if (created) logger.info({ event: 'keyring-created' }, 'created a new local keyring');
    const auditSeed = await loadOrCreateSystemKey('audit-signing', provider, systemKeys);
    const auditKey = auditSigningKey(auditSeed, config.auditOrigin);
    writeAuditPublicKey(config, create, auditKey);
    const auditRepo = new AuditRepository(database.db, database.engine);
    const { writer, auditedRequests, idleTimer, signCheckpoint } = auditGroupCommit(
      config,
      database,
      auditRepo,
      auditKey,
      clock,
      logger,
    );
    return {
      config,
      clock,
      database,
      provider,
      systemKeys,
      auditRepo,
      auditKey,
      writer,
      audit: auditRecorder(writer),
      logger,
      auditedRequests,
      signCheckpoint,
      close: async () => {
        clearInterval(idleTimer);
        await writer.close();
        await database.close();
        await provider.close();
      },
    };
  } catch (e) {
    await database.close();
    await opened?.close();
    throw e;
  }
}
