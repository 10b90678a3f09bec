import { AlertBus, LogAlertSink, WebhookAlertSink } from '../alerts/index.js';
import type { HavenConfig } from '../config/index.js';
import { BlindIndex, loadOrCreateSystemKey } from '../crypto/index.js';
import { SmtpEnrollmentDelivery, TerminalEnrollmentDelivery } from '../notify/index.js';
import { ClientRepository, SmartRepository } from '../store/index.js';
import { openAuditCore, type AuditCore } from './open-audit-core.js';
import type { OpenOptions } from './open-haven.js';
import { assemblePeople, type People } from './people.js';
import { closeRedis, connectRedis } from './redis-connection.js';

/**
 * The audit core plus people (users, sessions, throttling) and API clients: what the `user` and
 * `client` commands need, without the FHIR definitions, records, break-glass or HTTP of a full
 * openHaven (decision 0022). People are assembled as openHaven assembles them.
 */
export interface PeopleCore extends AuditCore {
  people: People;
  clients: ClientRepository;
  /** Registered SMART apps (`haven smart-client`, ADR 0035). */
  smart: SmartRepository;
}

export async function openPeopleCore(
  config: HavenConfig,
  opts: OpenOptions = {},
): Promise<PeopleCore> {
  const core = await openAuditCore(config, opts);
  const { clock, database, logger } = core;
  let redis: Awaited<ReturnType<typeof connectRedis>> | undefined;
  try {
    redis = config.redisUrl
      ? await connectRedis(config.redisUrl, { timeoutMs: config.redisTimeoutMs, logger })
      : undefined;
    const [indexKey, userDataKey] = await Promise.all(
      ['blind-index', 'user-data'].map((p) =>
        loadOrCreateSystemKey(p, core.provider, core.systemKeys),
      ),
    );
    const alertBus = new AlertBus(
      [
        new LogAlertSink((fields, msg) => logger.warn(fields, msg)),
        ...(config.alertWebhook ? [new WebhookAlertSink(config.alertWebhook)] : []),
      ],
      (rule) => logger.error({ event: 'alert-sink-failed', rule }, 'an alert sink failed'),
    );
    const publicBase = config.publicUrl ?? `https://localhost:${config.port}`;
    const people = assemblePeople({
      config,
      database,
      audit: core.audit,
      blindIndex: new BlindIndex(indexKey!),
      userDataKey: userDataKey!,
      clock,
      redis,
      raiseAlert: (a) => alertBus.raise(a),
      enrollmentDelivery: config.smtpUrl
        ? new SmtpEnrollmentDelivery(config.smtpUrl, config.smtpFrom, publicBase)
        : new TerminalEnrollmentDelivery(opts.terminal ?? process.stderr, publicBase),
    });
    const connected = redis;
    return {
      ...core,
      people,
      clients: new ClientRepository(database.db, clock),
      smart: new SmartRepository(database.db),
      close: async () => {
        await people.close();
        if (connected) await closeRedis(connected);
        await core.close();
      },
    };
  } catch (e) {
    if (redis) await closeRedis(redis);
    await core.close();
    throw e;
  }
}
