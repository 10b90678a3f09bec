import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NotInstalledError,
  openAuditCore,
  openHaven,
  openPeopleCore,
} from '../../src/app/index.js';
import { verifyTrail } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

/**
 * Issue 14 part 6: the smaller openers the one-shot commands use write into the same trail,
 * under the same keys, as the full openHaven, so a trail written through any of them verifies.
 */
const targets: EngineTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.cleanup();
});

const logger = createLogger('silent');
const operatorEvent = (subject: string) => ({
  onSuccess: () => [
    {
      action: 'client-create' as const,
      outcome: 'success' as const,
      actorType: 'system' as const,
      actorId: 'cli:test',
      detail: { subject },
    },
  ],
  onFailure: () => [],
});

describe.each(ENGINES)('openAuditCore and openPeopleCore on %s', (engine) => {
  it('refuse a place without an installation, as openHaven does', async () => {
    const target = await makeTarget(engine);
    targets.push(target);
    const config = resolveConfig(
      {
        data: path.join(target.dataDir, 'absent'),
        databaseUrl: target.databaseUrl,
        databaseSchema: target.schema,
      },
      {},
    );
    for (const open of [openAuditCore, openPeopleCore]) {
      await expect(open(config, { logger, create: false })).rejects.toBeInstanceOf(
        NotInstalledError,
      );
    }
    expect(fs.existsSync(path.join(target.dataDir, 'absent'))).toBe(false);
  });

  it('write into the trail openHaven created, under the same audit key, and it verifies', async () => {
    const target = await makeTarget(engine);
    targets.push(target);
    const config = resolveConfig(
      { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
      {},
    );
    const full = await openHaven(config, { logger });
    const key = full.auditKey.verifierKey;
    await full.writer.submit(operatorEvent('first'));
    await full.close();

    const core = await openAuditCore(config, { logger, create: false });
    expect(core.auditKey.verifierKey).toBe(key);
    await core.writer.submit(operatorEvent('second'));
    await core.signCheckpoint();
    await core.close();
    // The signed checkpoint is exported next to the data, as the full open does it.
    expect(fs.readdirSync(path.join(target.dataDir, 'audit-checkpoints')).length).toBeGreaterThan(
      0,
    );

    const people = await openPeopleCore(config, { logger, create: false });
    expect(people.auditKey.verifierKey).toBe(key);
    expect(await people.people.users.list()).toEqual([]);
    expect(await people.clients.list()).toEqual([]);
    await people.writer.submit(operatorEvent('third'));
    await people.close();

    const check = await openHaven(config, { logger, create: false });
    try {
      const report = await verifyTrail(check.auditRepo, [check.auditKey.verifier]);
      expect(report.ok, report.problem?.message).toBe(true);
      expect(report.entries).toBe(3);
    } finally {
      await check.close();
    }
  });
});
