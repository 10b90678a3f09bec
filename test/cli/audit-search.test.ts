import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import type { AuditDraft } from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

/** Issue 21 part 4: an operator reads the trail from the CLI, filtered and paged. */
describe.each(ENGINES)('haven audit search on %s', (engine) => {
  let target: EngineTarget;
  let env: Record<string, string>;
  let base: string[];

  beforeAll(async () => {
    target = await makeTarget(engine);
    env = target.schema ? { HAVEN_DB_SCHEMA: target.schema } : {};
    base = [
      '--data',
      target.dataDir,
      ...(target.databaseUrl ? ['--database-url', target.databaseUrl] : []),
    ];
    const config = resolveConfig(
      { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
      {},
    );
    // Entries at known times, by two actors, about two patients, with each outcome.
    let now = Date.parse('2026-03-01T00:00:00Z');
    const haven = await openHaven(config, {
      clock: () => new Date(now),
      logger: createLogger('silent'),
    });
    const entry = (d: Partial<AuditDraft>): AuditDraft => ({
      action: 'read',
      outcome: 'success',
      actorType: 'user',
      actorId: 'user-a',
      resourceType: 'Patient',
      ...d,
    });
    const days: Partial<AuditDraft>[] = [
      { patientId: 'pat-1', resourceId: 'pat-1' },
      { patientId: 'pat-2', resourceId: 'pat-2', actorId: 'user-b' },
      { patientId: 'pat-1', resourceId: 'pat-1', outcome: 'denied', actorId: 'user-b' },
      { action: 'search', patientId: 'pat-1' },
      { action: 'login-password', outcome: 'failure', resourceType: undefined },
    ];
    for (const d of days) {
      await haven.writer.submit({ onSuccess: () => [entry(d)], onFailure: () => [] });
      now += 24 * 3600 * 1000;
    }
    await haven.close();
  });
  afterAll(async () => target.cleanup());

  const search = async (...args: string[]) => {
    const r = await runHaven(['audit', 'search', ...base, '--json', ...args], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      total: number;
      nextOffset?: number;
      entries: { seq: number; actorId: string; patientId: string; outcome: string; at: string }[];
    };
  };

  it('filters by patient, actor, outcome and time range, newest first', async () => {
    const pat1 = await search('--patient', 'pat-1');
    expect(pat1.total).toBe(3);
    expect(pat1.entries.every((e) => e.patientId === 'pat-1')).toBe(true);
    expect(pat1.entries.map((e) => e.seq)).toEqual(
      [...pat1.entries.map((e) => e.seq)].sort((a, b) => b - a),
    );

    const byB = await search('--actor', 'user-b');
    expect(byB.entries.map((e) => e.patientId)).toEqual(['pat-1', 'pat-2']);

    const denied = await search('--outcome', 'denied');
    expect(denied.entries).toHaveLength(1);
    expect(denied.entries[0]).toMatchObject({ actorId: 'user-b', patientId: 'pat-1' });

    const window = await search('--from', '2026-03-02', '--to', '2026-03-04');
    expect(window.entries.map((e) => e.at.slice(0, 10))).toEqual(['2026-03-03', '2026-03-02']);

    const combined = await search(
      '--patient',
      'pat-1',
      '--actor',
      'user-b',
      '--outcome',
      'success',
    );
    expect(combined.total).toBe(0);
  });

  it('pages with --limit and --offset', async () => {
    const first = await search('--actor', 'user-a', '--limit', '2');
    expect(first.total).toBe(3);
    expect(first.entries).toHaveLength(2);
    expect(first.nextOffset).toBe(2);
    const second = await search('--actor', 'user-a', '--limit', '2', '--offset', '2');
    expect(second.entries).toHaveLength(1);
    expect(second.nextOffset).toBeUndefined();
    const seqs = [...first.entries, ...second.entries].map((e) => e.seq);
    expect(new Set(seqs).size).toBe(3);
  });

  it('prints a table with a paging line', async () => {
    const r = await runHaven(['audit', 'search', ...base, '--patient', 'pat-2'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^seq\s+at\s+actor\s+action\s+outcome\s+resource\s+patient$/);
    expect(lines[1]).toMatch(/user:user-b\s+read\s+success\s+Patient\/pat-2\s+pat-2$/);
    expect(lines.at(-1)).toBe('entries 1–1 of 1');
  });

  it('refuses bad filters with a usage exit, and is itself audited', async () => {
    for (const bad of [
      ['--outcome', 'maybe'],
      ['--from', 'yesterday'],
      ['--limit', '0'],
    ]) {
      const r = await runHaven(['audit', 'search', ...base, ...bad], env);
      expect(r.code, bad.join(' ')).toBe(64);
    }
    const reads = await search('--action', 'audit-read');
    expect(reads.total).toBeGreaterThan(0);
  });
});
