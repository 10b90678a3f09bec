import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Haven } from '../../src/app/index.js';
import { formatCheckpoint, signNote } from '../../src/audit/checkpoint/index.js';
import { MerkleFrontier } from '../../src/audit/merkle/index.js';
import { ENGINES } from '../support/engines.js';
import { flipSignatureBit, foreignSigner, impersonate, resign } from './forged-notes.js';
import { asAttacker, closeTrails, trailWith } from './trail-harness.js';

/**
 * Audit verification trusts a checkpoint only for its signature. Every forgery below keeps the
 * checkpoint's body exactly right (size and root of the real tree), so only the signature check
 * can catch it; each has a control showing the same path accepts the genuine note.
 */

afterEach(() => closeTrails());

type Forge = (note: string, haven: Haven) => string;
const FORGERIES: [string, Forge][] = [
  ['one flipped signature bit', (note) => flipSignatureBit(note, 77)],
  [
    'a valid signature by a foreign key',
    (note, h) => resign(note, foreignSigner(h.auditKey.signer.name)),
  ],
  [
    "a foreign key's signature under the audit key's ID",
    (note, h) =>
      impersonate(note, foreignSigner(h.auditKey.signer.name), h.auditKey.signer.keyHash),
  ],
];

/** A correctly signed archive mark over the first `size` entries, and the frontier it signs. */
async function archiveMark(haven: Haven, size: number) {
  const frontier = MerkleFrontier.empty();
  for (const h of await haven.auditRepo.leafHashes(0, size)) frontier.append(h);
  const note = signNote(
    formatCheckpoint({
      origin: haven.config.auditOrigin,
      size,
      rootHash: frontier.root(),
      extensions: ['haven-archive-mark'],
    }),
    [haven.auditKey.signer],
  );
  return { note, frontier: frontier.serialize() };
}

/** Records an archive mark by hand and removes the entries below it, as the trigger then allows. */
async function plantArchive(haven: Haven, size: number, frontier: Buffer, note: string) {
  const db = haven.database.db;
  await sql`INSERT INTO audit_archives (up_to_seq, frontier, note, created_at)
            VALUES (${size}, ${frontier}, ${note}, ${'2020-01-01T00:00:00.000Z'})`.execute(db);
  await sql`DELETE FROM audit_entries WHERE seq < ${size}`.execute(db);
}

async function replaceStoredNote(haven: Haven, size: number, note: string) {
  await asAttacker(haven);
  await sql`UPDATE audit_checkpoints SET note = ${note} WHERE size = ${size}`.execute(
    haven.database.db,
  );
}

describe.each(ENGINES)('checkpoint signatures in audit verification on %s', (engine) => {
  describe.each(FORGERIES)('a checkpoint with %s', (_, forge) => {
    it('stored in the database: refused, naming the checkpoint', async () => {
      const { verify, haven } = await trailWith(engine, 30);
      const stored = (await haven.auditRepo.checkpoints()).at(1)!;
      await replaceStoredNote(haven, stored.size, resign(stored.note, haven.auditKey.signer));
      expect(await verify()).toMatchObject({ ok: true, entries: 30 });

      await replaceStoredNote(haven, stored.size, forge(stored.note, haven));
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.problem).toMatchObject({ kind: 'bad-checkpoint', seq: stored.size });
    });

    it('kept outside the database (--from-checkpoint): refused', async () => {
      const { verify, haven } = await trailWith(engine, 30);
      const newest = (await haven.auditRepo.checkpoints()).at(-1)!.note;
      expect(await verify(newest)).toMatchObject({ ok: true, entries: 30 });

      const report = await verify(forge(newest, haven));
      expect(report.ok).toBe(false);
      expect(report.problem).toMatchObject({ kind: 'bad-checkpoint' });
      expect(report.problem!.message).toMatch(/external checkpoint/);
    });

    it('as an archive mark: refused, so deleting the entries below it is caught', async () => {
      const { verify, haven } = await trailWith(engine, 30);
      const { note, frontier } = await archiveMark(haven, 10);
      await plantArchive(haven, 10, frontier, forge(note, haven));
      expect((await verify()).problem).toMatchObject({ kind: 'bad-checkpoint', seq: 10 });
    });
  });

  it('control: the genuine archive mark built the same way verifies', async () => {
    const { verify, haven } = await trailWith(engine, 30);
    const { note, frontier } = await archiveMark(haven, 10);
    await plantArchive(haven, 10, frontier, note);
    expect(await verify()).toMatchObject({ ok: true, entries: 30 });
  });
});
