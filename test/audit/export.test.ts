import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import {
  commitArchive,
  exportTrail,
  planArchive,
  proveEntry,
  RetentionError,
  verifyExport,
  verifyTrail,
  type AuditDraft,
} from '../../src/audit/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';

const opened: { haven: Haven; target: EngineTarget }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.haven.close();
    await o.target.cleanup();
  }
});

async function havenAt(engine: 'sqlite' | 'postgres', clock: () => Date) {
  const target = await makeTarget(engine);
  const config = resolveConfig(
    { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
    { HAVEN_CHECKPOINT_ENTRIES: '8' },
  );
  const haven = await openHaven(config, { logger: createLogger('silent'), clock });
  opened.push({ haven, target });
  return { haven, target, config };
}

async function write(haven: Haven, from: number, n: number): Promise<void> {
  const d = (i: number): AuditDraft => ({
    action: 'read',
    outcome: 'success',
    actorType: 'client',
    actorId: 'c',
    resourceType: 'Patient',
    resourceId: `p${i}`,
    patientId: `p${i}`,
  });
  for (let i = from; i < from + n; i += 5) {
    await Promise.all(
      Array.from({ length: Math.min(5, from + n - i) }, (_, k) =>
        haven.writer.submit({ onSuccess: () => [d(i + k)], onFailure: () => [] }),
      ),
    );
  }
}

function exportText(haven: Haven, format: 'jsonl' | 'fhir', sinceSeq = 0): Promise<string> {
  const chunks: string[] = [];
  return exportTrail(haven.auditRepo, {
    sinceSeq,
    origin: haven.config.auditOrigin,
    verifierKey: haven.auditKey.verifierKey,
    format,
    write: (c) => chunks.push(c),
    now: new Date(),
  }).then(() => chunks.join(''));
}

describe.each(ENGINES)('audit export, proofs and retention on %s', (engine) => {
  it('exports verify with only the public key, in jsonl and FHIR form, from the start or a later point', async () => {
    const { haven } = await havenAt(engine, () => new Date());
    await write(haven, 0, 40);
    for (const format of ['jsonl', 'fhir'] as const) {
      for (const since of [0, 13]) {
        const report = verifyExport(
          await exportText(haven, format, since),
          haven.auditKey.verifierKey,
        );
        expect(report.ok, `${format} since ${since}: ${report.problem}`).toBe(true);
        expect(report.entries).toBeGreaterThan(0);
      }
    }
  });

  it('streams a page at a time: each page read after the last was written, same bytes as one page', async () => {
    const { haven } = await havenAt(engine, () => new Date());
    await write(haven, 0, 40);
    await haven.signCheckpoint();
    const now = new Date();
    const run = async (format: 'jsonl' | 'fhir', pageSize: number) => {
      const reads: number[] = [];
      const chunks: string[] = [];
      let writing = false;
      let readWhileWriting = 0;
      // The real repository, with its page read observed.
      const repo = Object.create(haven.auditRepo) as typeof haven.auditRepo;
      repo.entries = async (from, limit) => {
        if (writing) readWhileWriting++;
        const rows = await haven.auditRepo.entries(from, limit);
        reads.push(rows.length);
        return rows;
      };
      const result = await exportTrail(repo, {
        sinceSeq: 0,
        origin: haven.config.auditOrigin,
        verifierKey: haven.auditKey.verifierKey,
        format,
        pageSize,
        now,
        // A slow sink: the write settles on a later turn of the event loop.
        write: (c) => {
          writing = true;
          chunks.push(c);
          return new Promise<void>((resolve) =>
            setImmediate(() => {
              writing = false;
              resolve();
            }),
          );
        },
      });
      return { text: chunks.join(''), chunks: chunks.length, reads, readWhileWriting, result };
    };
    for (const format of ['jsonl', 'fhir'] as const) {
      const paged = await run(format, 7);
      const whole = await run(format, 5000);
      expect(paged.result.entries).toBe(40);
      expect(paged.reads).toEqual([7, 7, 7, 7, 7, 5]);
      expect(paged.readWhileWriting).toBe(0);
      // Header, one write per page, trailer: never more than a page of entries in one write.
      expect(paged.chunks).toBe(1 + paged.reads.length + 1);
      expect(whole.reads).toEqual([40]);
      expect(paged.text).toBe(whole.text);
      const report = verifyExport(paged.text, haven.auditKey.verifierKey);
      expect(report.ok, report.problem).toBe(true);
      expect(report.entries).toBe(40);
    }
  });

  it('a tampered export fails: changed entry, dropped entry, other key, edited AuditEvent', async () => {
    const { haven } = await havenAt(engine, () => new Date());
    await write(haven, 0, 24);
    const jsonl = await exportText(haven, 'jsonl');
    expect(
      verifyExport(
        jsonl.replace('"resourceId":"p3"', '"resourceId":"p99"'),
        haven.auditKey.verifierKey,
      ).ok,
    ).toBe(false);
    const lines = jsonl.split('\n');
    expect(
      verifyExport([...lines.slice(0, 4), ...lines.slice(5)].join('\n'), haven.auditKey.verifierKey)
        .ok,
    ).toBe(false);
    const other = await havenAt(engine, () => new Date());
    expect(verifyExport(jsonl, other.haven.auditKey.verifierKey).ok).toBe(false);
    const fhir = await exportText(haven, 'fhir');
    expect(
      verifyExport(fhir.replace('"Patient/p3"', '"Patient/p98"'), haven.auditKey.verifierKey).ok,
    ).toBe(false);
  });

  it('proves inclusion of an entry against a signed checkpoint', async () => {
    const { haven } = await havenAt(engine, () => new Date());
    await write(haven, 0, 30);
    const proof = await proveEntry(haven.auditRepo, 11, [haven.auditKey.verifier]);
    expect(proof.treeSize).toBeGreaterThan(11);
    expect(proof.proof.length).toBeGreaterThan(0);
    await expect(proveEntry(haven.auditRepo, 10_000, [haven.auditKey.verifier])).rejects.toThrow(
      /no signed checkpoint/,
    );
  });

  it('archives only entries older than six years, leaves a signed mark, and still verifies', async () => {
    let now = new Date('2018-03-01T00:00:00Z');
    const { haven } = await havenAt(engine, () => now);
    await write(haven, 0, 20);
    now = new Date('2026-11-23T00:00:00Z');
    await write(haven, 20, 20);
    await expect(planArchive(haven.auditRepo, new Date('2025-01-01'), now)).rejects.toBeInstanceOf(
      RetentionError,
    );
    const plan = await planArchive(haven.auditRepo, new Date('2019-01-01'), now);
    expect(plan).toEqual({ fromSeq: 0, upToSeq: 20 });
    const { removed } = await commitArchive(haven.auditRepo, plan, {
      origin: haven.config.auditOrigin,
      signer: haven.auditKey.signer,
      now,
    });
    expect(removed).toBe(20);
    expect(await verifyTrail(haven.auditRepo, [haven.auditKey.verifier])).toMatchObject({
      ok: true,
      entries: 40,
    });
    // Younger entries stay protected by the database as before.
    await expect(
      sql.raw('DELETE FROM audit_entries WHERE seq = 25').execute(haven.database.db),
    ).rejects.toThrow();
    expect(verifyExport(await exportText(haven, 'jsonl'), haven.auditKey.verifierKey).ok).toBe(
      true,
    );
  });
});
