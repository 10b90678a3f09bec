import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { verifyExport, type AuditDraft } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

/**
 * `haven audit archive` writes the export to its file as it reads the trail, checks the file,
 * and only then removes the archived entries; a run that cannot write leaves the trail whole.
 */
const targets: EngineTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.cleanup();
});

const draft = (i: number): AuditDraft => ({
  action: 'read',
  outcome: 'success',
  actorType: 'client',
  actorId: 'c',
  resourceType: 'Patient',
  resourceId: `synthetic-${i}`,
});

/** An installation with 12 entries from 2018 and 5 from today, all under a signed checkpoint. */
async function oldTrail(engine: 'sqlite' | 'postgres') {
  const target = await makeTarget(engine);
  targets.push(target);
  const config = resolveConfig(
    { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
    {},
  );
  let now = new Date('2018-03-01T00:00:00Z');
  const haven = await openHaven(config, { logger: createLogger('silent'), clock: () => now });
  for (let i = 0; i < 17; i++) {
    if (i === 12) now = new Date();
    await haven.writer.submit({ onSuccess: () => [draft(i)], onFailure: () => [] });
  }
  await haven.signCheckpoint();
  await haven.close();
  const env: Record<string, string> = {
    HAVEN_LOG_LEVEL: 'warn',
    ...(target.databaseUrl && { DATABASE_URL: target.databaseUrl }),
    ...(target.schema && { HAVEN_DB_SCHEMA: target.schema }),
  };
  return {
    target,
    env,
    key: fs.readFileSync(path.join(target.dataDir, 'audit-public-key.txt'), 'utf8').trim(),
  };
}

describe.each(ENGINES)('haven audit archive on %s', (engine) => {
  it(
    'writes a verifying archive file, then removes the archived entries',
    { timeout: 60_000 },
    async () => {
      const { target, env, key } = await oldTrail(engine);
      const out = path.join(target.dataDir, 'archive.jsonl');
      const data = ['--data', target.dataDir];
      const r = await runHaven(
        ['audit', 'archive', '--before', '2019-01-01', '--out', out, ...data, '--json'],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ removed: 12, out });
      // Piped (not a terminal) and --json: no progress bar on stderr.
      expect(r.stderr).toBe('');
      const report = verifyExport(fs.readFileSync(out, 'utf8'), key);
      expect(report.ok, report.problem).toBe(true);
      expect(report.entries).toBe(17);
      const verify = await runHaven(['audit', 'verify', ...data, '--json'], env);
      expect(verify.code, verify.stderr).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, entries: 17 });
    },
  );

  it(
    'refuses an existing file before writing anything, and removes nothing',
    { timeout: 60_000 },
    async () => {
      const { target, env } = await oldTrail(engine);
      const out = path.join(target.dataDir, 'taken.jsonl');
      fs.writeFileSync(out, 'kept\n');
      const data = ['--data', target.dataDir];
      const r = await runHaven(
        ['audit', 'archive', '--before', '2019-01-01', '--out', out, ...data],
        env,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot create ${out}`);
      expect(fs.readFileSync(out, 'utf8')).toBe('kept\n');
      const search = await runHaven(
        ['audit', 'search', '--to', '2019-01-01', ...data, '--json'],
        env,
      );
      expect(JSON.parse(search.stdout)).toMatchObject({ total: 12 });
    },
  );
});
