import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openHaven } from '../../src/app/index.js';
import { encodeLeaf } from '../../src/audit/index.js';
import { formatCheckpoint, signNote } from '../../src/audit/checkpoint/index.js';
import { leafHash, MerkleFrontier } from '../../src/audit/merkle/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ENGINES, makeTarget } from '../support/engines.js';
import { flipSignatureBit } from './forged-notes.js';
import { asAttacker, closeTrails, draft, keepOpen, trailWith } from './trail-harness.js';

afterEach(() => closeTrails());

describe.each(ENGINES)('audit trail on %s', (engine) => {
  it('verifies an untouched trail and signs checkpoints every N entries', async () => {
    const { verify, haven } = await trailWith(engine, 45);
    const report = await verify();
    expect(report).toMatchObject({ ok: true, entries: 45 });
    expect(report.checkpointsChecked).toBeGreaterThanOrEqual(4);
    expect((await haven.auditRepo.checkpoints()).every((c) => c.note.includes('\u2014 '))).toBe(
      true,
    );
  });

  it('the database itself refuses UPDATE and DELETE on entries', async () => {
    const { haven } = await trailWith(engine, 3);
    await expect(
      sql
        .raw(`UPDATE audit_entries SET outcome = 'denied' WHERE seq = 1`)
        .execute(haven.database.db),
    ).rejects.toThrow();
    await expect(
      sql.raw('DELETE FROM audit_entries WHERE seq = 2').execute(haven.database.db),
    ).rejects.toThrow();
  });

  it('names the entry whose field was changed', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    await asAttacker(haven, `UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 17`);
    expect((await verify()).problem).toMatchObject({ kind: 'modified-entry', seq: 17 });
  });

  it('catches a changed entry whose stored leaf hash was recomputed, by the signed checkpoint', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    const [row] = await haven.auditRepo.entries(17, 1);
    const { auditEntryFromRow } = await import('../../src/audit/index.js');
    const forged = { ...auditEntryFromRow(row!), actorId: 'someone-else' };
    const hex = leafHash(encodeLeaf(forged)).toString('hex');
    const blob = engine === 'sqlite' ? `x'${hex}'` : `'\\x${hex}'::bytea`;
    await asAttacker(
      haven,
      `UPDATE audit_entries SET actor_id = 'someone-else', leaf_hash = ${blob} WHERE seq = 17`,
    );
    const problem = (await verify()).problem!;
    expect(problem.kind).toBe('checkpoint-mismatch');
    expect(problem.seq).toBeLessThanOrEqual(17);
    expect(problem.toSeq).toBeGreaterThanOrEqual(17);
  });

  it('names a deleted entry', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    await asAttacker(haven, 'DELETE FROM audit_entries WHERE seq = 12');
    expect((await verify()).problem).toMatchObject({ kind: 'missing-entry', seq: 12 });
  });

  it('catches a forged entry inserted at the end', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    const leaf = engine === 'sqlite' ? `x'${'00'.repeat(32)}'` : `'\\x${'00'.repeat(32)}'::bytea`;
    await asAttacker(
      haven,
      `INSERT INTO audit_entries (seq, at, actor_type, action, outcome, leaf_hash) VALUES (30, '2026-01-01T00:00:00.000Z', 'client', 'read', 'success', ${leaf})`,
    );
    expect((await verify()).problem).toMatchObject({ seq: 30 });
  });

  it('names the first of two swapped entries', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    await asAttacker(
      haven,
      `UPDATE audit_entries SET resource_id = 'tmp' WHERE seq = 5`,
      `UPDATE audit_entries SET resource_id = 'p5', patient_id = 'p5', request_id = 'r5' WHERE seq = 6`,
      `UPDATE audit_entries SET resource_id = 'p6', patient_id = 'p6', request_id = 'r6' WHERE seq = 5`,
    );
    expect((await verify()).problem).toMatchObject({ kind: 'modified-entry', seq: 5 });
  });

  it('catches a truncated tail, and with an exported checkpoint even when checkpoints are deleted too', async () => {
    const { verify, haven, config } = await trailWith(engine, 45);
    const exported = fs.readdirSync(path.join(config.dataDir, 'audit-checkpoints')).sort();
    const lastNote = fs.readFileSync(
      path.join(config.dataDir, 'audit-checkpoints', exported.at(-1)!),
      'utf8',
    );
    await asAttacker(haven, 'DELETE FROM audit_entries WHERE seq >= 25');
    expect((await verify()).problem).toMatchObject({ kind: 'truncated', seq: 25 });
    await asAttacker(haven, 'DELETE FROM audit_checkpoints WHERE size > 25');
    const withExternal = await verify(lastNote);
    expect(withExternal.ok).toBe(false);
    expect(withExternal.problem).toMatchObject({ kind: 'truncated', seq: 25 });
  });

  it('catches checkpoints deleted from the database (the head still records the newest)', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    await asAttacker(haven, 'DELETE FROM audit_checkpoints');
    expect((await verify()).problem).toMatchObject({ kind: 'bad-checkpoint' });
  });

  it('a forged archive mark neither unlocks deletion silently nor crashes verification', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    // A well-formed mark over the real first 10 entries, signed by the audit key, then with one
    // signature bit flipped: only the signature check can tell it from the genuine one (whose
    // acceptance checkpoint-signatures.test.ts shows).
    const frontier = MerkleFrontier.empty();
    for (const h of await haven.auditRepo.leafHashes(0, 10)) frontier.append(h);
    const note = signNote(
      formatCheckpoint({
        origin: haven.config.auditOrigin,
        size: 10,
        rootHash: frontier.root(),
        extensions: ['haven-archive-mark'],
      }),
      [haven.auditKey.signer],
    );
    await sql`INSERT INTO audit_archives (up_to_seq, frontier, note, created_at)
              VALUES (10, ${frontier.serialize()}, ${flipSignatureBit(note)}, 'now')`.execute(
      haven.database.db,
    );
    await sql.raw('DELETE FROM audit_entries WHERE seq < 10').execute(haven.database.db);
    expect((await verify()).problem).toMatchObject({ kind: 'bad-checkpoint', seq: 10 });
  });
});

describe('idle checkpoints', () => {
  it('an empty batch after the interval signs a checkpoint over the uncovered tail', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const target = await makeTarget('sqlite');
    const config = resolveConfig(
      { data: target.dataDir },
      { HAVEN_CHECKPOINT_ENTRIES: '1000', HAVEN_CHECKPOINT_MS: '60000' },
    );
    const haven = await openHaven(config, { logger: createLogger('silent'), clock: () => now });
    keepOpen(haven, target);
    const idle = () => haven.writer.submit({ onSuccess: () => [], onFailure: () => [] });
    await haven.writer.submit({ onSuccess: () => [draft(0)], onFailure: () => [] });
    await haven.writer.submit({ onSuccess: () => [draft(1)], onFailure: () => [] });
    expect((await haven.auditRepo.checkpoints()).map((c) => c.size)).toEqual([1]);
    await idle();
    expect((await haven.auditRepo.checkpoints()).map((c) => c.size)).toEqual([1]);
    now = new Date('2026-01-01T00:01:01Z');
    await idle();
    expect((await haven.auditRepo.checkpoints()).map((c) => c.size)).toEqual([1, 2]);
    await idle();
    expect((await haven.auditRepo.checkpoints()).map((c) => c.size)).toEqual([1, 2]);
  });
});
