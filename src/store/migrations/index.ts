import type { Migration, MigrationProvider } from 'kysely';
import type { Engine } from '../engine.js';
import { initialMigration } from './0001-initial.js';
import { peopleMigration } from './0002-people.js';
import { accessMigration } from './0003-access.js';
import { sealedRelationsMigration } from './0004-sealed-relations.js';
import { approvalsMigration } from './0005-approvals.js';
import { searchIndexStateMigration } from './0006-search-index-state.js';
import { schedulingMigration } from './0007-scheduling.js';
import { messagesMigration } from './0008-messages.js';
import { disposalsMigration } from './0009-disposals.js';
import { alertsMigration } from './0010-alerts.js';
import { incidentsMigration } from './0011-incidents.js';
import { visitRecordingsMigration } from './0012-visit-recordings.js';
import { smartMigration } from './0013-smart.js';
import { bulkExportsMigration } from './0014-bulk-exports.js';
import { readPathCachesMigration } from './0016-read-path-caches.js';
import { leasesMigration } from './0017-leases.js';
import { searchTokenStatisticsMigration } from './0018-search-token-statistics.js';

/**
 * Versioned migrations, in code so they ship inside the build. Append new ones; never edit a
 * migration that has been released.
 */
export function migrationProvider(engine: Engine): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-initial': initialMigration(engine),
        '0002-people': peopleMigration(engine),
        '0003-access': accessMigration(engine),
        '0004-sealed-relations': sealedRelationsMigration(engine),
        '0005-approvals': approvalsMigration(engine),
        '0006-search-index-state': searchIndexStateMigration(),
        '0007-scheduling': schedulingMigration(),
        '0008-messages': messagesMigration(engine),
        '0009-disposals': disposalsMigration(engine),
        '0010-alerts': alertsMigration(),
        '0011-incidents': incidentsMigration(),
        '0012-visit-recordings': visitRecordingsMigration(engine),
        '0013-smart': smartMigration(),
        '0014-bulk-exports': bulkExportsMigration(),
        '0016-read-path-caches': readPathCachesMigration(engine),
        '0017-leases': leasesMigration(),
        '0018-search-token-statistics': searchTokenStatisticsMigration(engine),
      };
    },
  };
}
