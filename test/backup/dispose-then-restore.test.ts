import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  approveDisposal,
  backupHaven,
  requestDisposal,
  restoreHaven,
} from '../../src/app/index.js';
import { parseRetention } from '../../src/backup/index.js';
import { KeyDestroyedError } from '../../src/crypto/index.js';
import { ResourceRepository } from '../../src/store/index.js';
import { startTestServer } from '../support/haven-server.js';
import {
  addAdmin,
  emptyTarget,
  failureCode,
  openQuiet,
  seedPatients,
  tempFile,
} from './helpers.js';

/**
 * Issue 17 "done means": take a backup, dispose of a patient, restore the OLD backup into a new
 * database (of the other engine), and the disposed patient's data cannot be decrypted there
 * while every other patient's can. The backup file holds the disposed patient's wrapped data
 * key — sealed under their escrow key, which the disposal destroyed beside the keyring.
 */
const PAIRS = [
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
] as const;

describe.each(PAIRS)('backup, dispose, restore the old backup (%s → %s)', (from, to) => {
  it('the disposed patient stays unreadable in the restored copy; everyone else reads', async () => {
    const now = new Date('2026-03-01T09:00:00Z');
    const t = await startTestServer(from, { clock: () => now });
    const file = tempFile('before-disposal.hvb');
    const restored = await emptyTarget(to, t.config.keyringPath);
    try {
      const patients = await seedPatients(t, 4);
      const [gone, ...kept] = patients;
      await backupHaven(t.haven, file);

      const [adminA, adminB] = [await addAdmin(t.haven, now), await addAdmin(t.haven, now)];
      const retention = parseRetention(undefined);
      // Within the 10-year default: refused without a documented override.
      expect(await failureCode(requestDisposal(t.haven, gone!.id, adminA, { retention }))).toBe(
        'retention-not-passed',
      );
      const req = await requestDisposal(t.haven, gone!.id, adminA, {
        retention,
        override: 'created-in-error',
      });
      // Two-person rule: the requester cannot approve their own request.
      expect(
        await failureCode(approveDisposal(t.haven, gone!.id, req.approvalId, adminA, retention)),
      ).toBe('same-admin');
      const done = await approveDisposal(t.haven, gone!.id, req.approvalId, adminB, retention);
      expect(done.resources).toBe(2);
      expect(done.dataKeys).toBeGreaterThan(0);

      // Live: gone from the database, others still served.
      expect((await t.request('GET', `/fhir/R4/Patient/${gone!.id}`)).status).toBe(404);
      for (const p of kept) {
        expect((await t.request('GET', `/fhir/R4/Patient/${p.id}`)).status).toBe(200);
      }
      const trail = await t.haven.database.db
        .selectFrom('audit_entries')
        .select(['action', 'patient_id', 'detail'])
        .where('action', 'in', ['backup-created', 'patient-disposed', 'patient-dispose-request'])
        .orderBy('seq')
        .execute();
      expect(trail.map((e) => e.action)).toEqual([
        'backup-created',
        'patient-dispose-request',
        'patient-disposed',
      ]);
      expect(trail[2]!.patient_id).toBe(gone!.id);
      expect(trail[2]!.detail).not.toContain('Backup0');
      // Audit entries about the patient remain.
      const about = await t.haven.database.db
        .selectFrom('audit_entries')
        .select('action')
        .where('patient_id', '=', gone!.id)
        .execute();
      expect(about.map((a) => a.action)).toContain('create');

      // The old backup, restored elsewhere.
      const summary = await restoreHaven(restored.config, file);
      expect(summary.shreddedKeys).toBeGreaterThan(0);
      const copy = await openQuiet(restored.config);
      try {
        const resources = new ResourceRepository(copy.database.db);
        const goneRow = await resources.readCurrent('Patient', gone!.id);
        expect(goneRow).toBeDefined(); // the sealed rows are in the old backup…
        const opening = copy.records.sealed.open(goneRow!).then(
          (b) => b.toString('utf8'),
          (e: unknown) => e,
        );
        expect(await opening).toBeInstanceOf(KeyDestroyedError); // …but cannot be opened
        for (const p of kept) {
          const row = await resources.readCurrent('Patient', p.id);
          const body = JSON.parse((await copy.records.sealed.open(row!)).toString('utf8'));
          expect(body).toMatchObject({ id: p.id, gender: p.gender });
        }
        const restoredTrail = await copy.database.db
          .selectFrom('audit_entries')
          .select('action')
          .where('action', '=', 'backup-restored')
          .execute();
        expect(restoredTrail).toHaveLength(1);
      } finally {
        await copy.close();
      }
      // Nor does the disposed patient come back in a backup taken now.
      const after = tempFile('after.hvb');
      await backupHaven(t.haven, after);
      const again = await emptyTarget(from, t.config.keyringPath);
      try {
        const s2 = await restoreHaven(again.config, after);
        expect(s2.shreddedKeys).toBe(0); // its keys were destroyed rows already
        const c2 = await openQuiet(again.config);
        try {
          expect(
            await new ResourceRepository(c2.database.db).readCurrent('Patient', gone!.id),
          ).toBe(undefined);
        } finally {
          await c2.close();
        }
      } finally {
        await again.target.cleanup();
        fs.rmSync(path.dirname(after), { recursive: true, force: true });
      }
    } finally {
      await t.stop();
      await restored.target.cleanup();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }, 60_000);
});
