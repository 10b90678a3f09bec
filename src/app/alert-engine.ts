import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  AlertDelivery,
  AlertEngine,
  EmailChannel,
  MemoryWindowCounters,
  RedisWindowCounters,
  SyslogChannel,
  WebhookChannel,
  factFromDraft,
  type AlertChannel,
  type SubjectFacts,
} from '../alerts/index.js';
import type { AuditDraft, AuditRecorder } from '../audit/index.js';
import type { HavenConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { AlertRepository, type AuditRepository, type AuditRow } from '../store/index.js';

export interface AlertStreamDeps {
  config: HavenConfig;
  /**
   * Where alerts are stored: in the audit trail's group commit (AuditRecorder.transact), so
   * storing one costs a statement in the batch in flight, not a transaction of its own.
   */
  audit: Pick<AuditRecorder, 'transact'>;
  subjects: SubjectFacts;
  redis: Redis | undefined;
  /** Keys the address hash in alerts about failed sign-ins per address. */
  addressKey: Buffer;
  clock: () => Date;
  logger: Logger;
  /**
   * The audit trail, to count its last window again after a restart when the counters live in
   * memory (with Redis they outlive the process). Absent: counters start empty.
   */
  trail?: Pick<AuditRepository, 'firstSeqAtOrAfter' | 'entries' | 'maxSeq'> | undefined;
}

/**
 * The anomaly rules on the audit stream (ADR 0030): the engine, its counters (in Redis when
 * REDIS_URL is set, so every instance counts together), the alert store and the sinks the
 * configuration names. `observe` is what the group-commit writer calls once a batch is durable.
 */
export function openAlertStream(d: AlertStreamDeps) {
  const { config, logger } = d;
  const channels: AlertChannel[] = [];
  if (config.alertWebhook)
    channels.push(new WebhookChannel(config.alertWebhook, config.alerts.webhookSecret, d.clock));
  if (config.alerts.syslog) channels.push(new SyslogChannel(config.alerts.syslog, d.clock));
  if (config.smtpUrl && config.alerts.emailTo.length > 0)
    channels.push(new EmailChannel(config.smtpUrl, config.smtpFrom, config.alerts.emailTo));
  const delivery = new AlertDelivery(channels, {
    clock: d.clock,
    onFailure: (channel, rule, attempts) =>
      logger.warn({ event: 'alert-sink-failed', channel, rule, attempts }, 'an alert sink failed'),
  });
  delivery.start();
  const channel = `${config.redisPrefix}alerts:facts`;
  const addressRef = (ip: string) =>
    `addr:${crypto.createHmac('sha256', d.addressKey).update(ip).digest('hex').slice(0, 16)}`;
  const engine = new AlertEngine({
    settings: config.alerts.settings,
    counters: d.redis
      ? new RedisWindowCounters(d.redis, config.redisPrefix)
      : new MemoryWindowCounters(),
    subjects: d.subjects,
    addressRef,
    store: {
      record: (a) =>
        d.audit.transact({
          run: (trx) => AlertRepository.recordIn(trx, a),
          onSuccess: () => [],
          onFailure: () => [],
        }),
    },
    newId: () => crypto.randomUUID(),
    deliver: (alert) => delivery.enqueue(alert),
    onError: (code) =>
      logger.warn({ event: 'alert-evaluation-failed', code }, 'an alert rule could not run'),
    onDrop: (facts) =>
      logger.error(
        { event: 'alert-facts-dropped', facts, dropped: engine.dropped },
        'the alert rules fell behind: audit entries were not checked',
      ),
    clock: d.clock,
  });
  const trail = d.trail;
  const s = config.alerts.settings;
  const rebuilt =
    trail && !d.redis && config.alerts.enabled
      ? engine.rebuild(async () => {
          const windowMs =
            Math.max(
              s.volume.windowMinutes,
              s.failedLogins.windowMinutes,
              s.massExport.windowMinutes,
              s.searchSweep.windowMinutes,
            ) * 60_000;
          const since = new Date(d.clock().getTime() - windowMs).toISOString();
          const last = await trail.maxSeq();
          let seq = await trail.firstSeqAtOrAfter(since);
          const facts = [];
          while (seq !== undefined && last !== undefined && seq <= last) {
            const rows = await trail.entries(seq, 1000);
            if (rows.length === 0) break;
            for (const r of rows) if (r.seq <= last) facts.push(factFromDraft(draftOf(r), r.at));
            seq = rows[rows.length - 1]!.seq + 1;
          }
          return facts;
        })
      : Promise.resolve(0);
  return {
    engine,
    delivery,
    /** How many trail entries the counters were rebuilt from at start (0 with Redis). */
    rebuilt,
    observe(drafts: readonly AuditDraft[], at: string): void {
      const facts = drafts.map((dr) => factFromDraft(dr, at));
      engine.observe(facts);
      // Other subscribers (a SIEM relay, a second rules host) see the same PHI-free facts.
      // Addresses leave as keyed hashes, like in alerts. Hashed and serialised on the next
      // turn of the event loop too, after the batch's responses, like the rules.
      const redis = d.redis;
      if (redis && facts.length > 0) {
        setImmediate(() => {
          const published = facts.map((f) => ({
            ...f,
            ip: f.ip === null ? null : addressRef(f.ip),
          }));
          redis.publish(channel, JSON.stringify(published)).catch(() => undefined);
        });
      }
    },
    close: async () => {
      await rebuilt.catch(() => 0);
      await engine.idle();
      delivery.stop();
    },
  };
}

/** An entry read back from the trail, in the shape the rules' facts are made from. */
function draftOf(r: AuditRow): AuditDraft {
  let detail: AuditDraft['detail'];
  try {
    detail = r.detail ? (JSON.parse(r.detail) as AuditDraft['detail']) : undefined;
  } catch {
    detail = undefined;
  }
  return {
    action: r.action as AuditDraft['action'],
    outcome: r.outcome as AuditDraft['outcome'],
    actorType: r.actor_type as AuditDraft['actorType'],
    actorId: r.actor_id,
    resourceType: r.resource_type ?? undefined,
    patientId: r.patient_id ?? undefined,
    ip: r.ip ?? undefined,
    requestId: r.request_id ?? undefined,
    detail,
  };
}
