import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { backupHaven, restoreHaven } from '../../src/app/index.js';
import { ResourceRepository } from '../../src/store/index.js';
import { startTestServer } from '../support/haven-server.js';
import { syntheaFiles } from '../support/synthea.js';
import { emptyTarget, openQuiet, tempFile } from './helpers.js';

/**
 * SQLite → PostgreSQL → SQLite with a realistic Synthea record: every resource of the third copy
 * decrypts to exactly what the first one served, and each copy's audit trail names its restore.
 */
it('a Synthea record survives SQLite → PostgreSQL → SQLite byte for byte', async () => {
  const t = await startTestServer('sqlite');
  const dir = path.dirname(tempFile('x'));
  const pg = await emptyTarget('postgres', t.config.keyringPath);
  const back = await emptyTarget('sqlite', t.config.keyringPath);
  try {
    const bundle = fs.readFileSync(syntheaFiles()[0]!, 'utf8');
    const res = await t.request('POST', '/fhir/R4', {
      raw: bundle,
      headers: { 'content-type': 'application/fhir+json' },
    });
    expect(res.status).toBe(200);
    const source = new ResourceRepository(t.haven.database.db);
    const heads = await t.haven.database.db.selectFrom('resource_heads').selectAll().execute();
    expect(heads.length).toBeGreaterThan(20);

    await backupHaven(t.haven, path.join(dir, 'a.hvb'));
    await restoreHaven(pg.config, path.join(dir, 'a.hvb'));
    const onPg = await openQuiet(pg.config);
    try {
      await backupHaven(onPg, path.join(dir, 'b.hvb'));
    } finally {
      await onPg.close();
    }
    await restoreHaven(back.config, path.join(dir, 'b.hvb'));
    const copy = await openQuiet(back.config);
    try {
      const again = new ResourceRepository(copy.database.db);
      for (const h of heads) {
        const a = await source.readCurrent(h.resource_type, h.id);
        const b = await again.readCurrent(h.resource_type, h.id);
        expect(
          (await copy.records.sealed.open(b!)).equals(await t.haven.records.sealed.open(a!)),
        ).toBe(true);
      }
      const restores = await copy.database.db
        .selectFrom('audit_entries')
        .select(['action', 'detail'])
        .where('action', '=', 'backup-restored')
        .orderBy('seq')
        .execute();
      // The PostgreSQL copy's restore entry travelled in the second backup.
      expect(restores.map((r) => JSON.parse(r.detail!).from)).toEqual(['sqlite', 'postgres']);
    } finally {
      await copy.close();
    }
  } finally {
    await t.stop();
    await pg.target.cleanup();
    await back.target.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
