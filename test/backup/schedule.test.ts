import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupHaven } from '../../src/app/index.js';
import { BackupSchedule, parseInterval } from '../../src/backup/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer } from '../support/haven-server.js';
import { tempFile } from './helpers.js';

/** `serve --backup-every 24h --backup-keep 2`, driven by the injected clock (no real waiting). */
describe.each(ENGINES)('scheduled backups (%s)', (engine) => {
  it('backs up when due by the clock, never early, and keeps the newest N', async () => {
    let now = Date.parse('2026-03-01T02:00:00Z');
    const clock = () => new Date(now);
    const t = await startTestServer(engine, { clock });
    const dir = path.dirname(tempFile('x'));
    try {
      const schedule = new BackupSchedule({
        dir,
        everyMs: parseInterval('24h'),
        keep: 2,
        clock,
        run: (file) => backupHaven(t.haven, file),
        onError: (e) => {
          throw e;
        },
      });
      const taken: (string | undefined)[] = [];
      taken.push(await schedule.runDue()); // none yet: due at once
      now += 23 * 3_600_000;
      taken.push(await schedule.runDue()); // 23 h later: not due
      for (let day = 0; day < 3; day++) {
        now += 25 * 3_600_000;
        taken.push(await schedule.runDue());
      }
      expect(taken.map((x) => x !== undefined)).toEqual([true, false, true, true, true]);
      const files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.hvb'))
        .sort();
      expect(files).toEqual(taken.filter((x) => x !== undefined).slice(-2));
      const created = await t.haven.database.db
        .selectFrom('audit_entries')
        .select('action')
        .where('action', '=', 'backup-created')
        .execute();
      expect(created).toHaveLength(4);
      expect(() => parseInterval('5s')).toThrow(RangeError);
    } finally {
      await t.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
