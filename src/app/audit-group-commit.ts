import fs from 'node:fs';
import path from 'node:path';
import {
  AuditedRequests,
  AuditTrail,
  type AuditDraft,
  type AuditSigningKey,
} from '../audit/index.js';
import type { HavenConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { BatchWriter, type AuditRepository, type Database } from '../store/index.js';
import { exportCheckpoint, postCheckpoint } from './checkpoint-export.js';

/**
 * The audit trail, its group-commit writer and the idle-checkpoint timer: how openHaven and
 * openAuditCore both record, so the two cannot drift apart. Each signed checkpoint is written
 * to DATA/audit-checkpoints/ and, when configured, posted to the checkpoint webhook.
 */
export function auditGroupCommit(
  config: HavenConfig,
  database: Database,
  repo: AuditRepository,
  auditKey: AuditSigningKey,
  clock: () => Date,
  logger: Logger,
) {
  const checkpointDir = path.join(config.dataDir, 'audit-checkpoints');
  const trail = new AuditTrail({
    repo,
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
  const auditedRequests = new AuditedRequests();
  // Who hears of entries once they are durable (the anomaly rules): called after the commit,
  // never awaited and never allowed to throw into the writer, so no request waits on them.
  const observers: ((drafts: readonly AuditDraft[], at: string) => void)[] = [];
  // The drafts of the batch in flight: their request ids count as audited once it commits.
  let batchDrafts: readonly AuditDraft[] = [];
  const writer = new BatchWriter<AuditDraft>(
    database.writeDb,
    database.engine,
    async (trx, drafts) => {
      batchDrafts = drafts;
      await trail.finalize(trx, drafts);
    },
    (committed) => {
      if (committed) {
        auditedRequests.markDurable(batchDrafts);
        if (batchDrafts.length > 0) {
          const at = clock().toISOString();
          for (const observe of observers) {
            try {
              observe(batchDrafts, at);
            } catch (e) {
              logger.warn(
                { event: 'audit-observer-failed', code: codeOf(e) },
                'audit observer failed',
              );
            }
          }
        }
      }
      batchDrafts = [];
      trail.afterCommit(committed);
    },
  );
  const signCheckpoint = async () => {
    trail.signNow();
    await writer.submit({ onSuccess: () => [], onFailure: () => [] });
  };
  // Idle checkpoints: an empty batch every interval signs whatever is not yet covered.
  const idleTimer = setInterval(
    () => void writer.submit({ onSuccess: () => [], onFailure: () => [] }).catch(() => undefined),
    config.checkpointEveryMs,
  );
  idleTimer.unref();
  return { writer, auditedRequests, idleTimer, signCheckpoint, observers };
}

function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

/** DATA/audit-public-key.txt: what anyone needs to verify an export or a checkpoint. */
export function writeAuditPublicKey(
  config: HavenConfig,
  create: boolean,
  auditKey: AuditSigningKey,
): void {
  // With PostgreSQL the data directory may be absent on the machine running a command.
  if (create || fs.existsSync(config.dataDir)) {
    fs.writeFileSync(
      path.join(config.dataDir, 'audit-public-key.txt'),
      `${auditKey.verifierKey}\n`,
    );
  }
}
