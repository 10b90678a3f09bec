/**
 * Audit-trail speed on SQLite: append N entries through the group-commit writer (audit-only jobs,
 * 5,000 in flight at a time), then walk the whole trail with verifyTrail.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup.js';
import { app, audit, config, logging, type AuditDraft } from './haven.js';

export interface VerifySpeed {
  entries: number;
  appendSeconds: number;
  appendPerSecond: number;
  verifySeconds: number;
  verifyPerSecond: number;
  checkpointsChecked: number;
  databaseBytes: number;
  ok: boolean;
  problem?: string;
}

/** Appends in flight at once: within the audit writer's bounded queue (4,096 batches). */
const IN_FLIGHT = 4000;

export async function verifySpeed(entries: number, log: (s: string) => void): Promise<VerifySpeed> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bench-verify-'));
  const cleanup = onCleanup(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  try {
    const cfg = config.resolveConfig({ data: dataDir, port: 0, logLevel: 'warn' }, {});
    const haven = await app.openHaven(cfg, { logger: logging.createLogger('silent') });
    try {
      const actorId = crypto.randomUUID();
      const patients = Array.from({ length: 1000 }, () => crypto.randomUUID());
      const draft = (i: number): AuditDraft => ({
        action: 'read',
        outcome: 'success',
        actorType: 'client',
        actorId,
        resourceType: 'Patient',
        resourceId: patients[i % patients.length],
        resourceVersion: 1,
        patientId: patients[i % patients.length],
        ip: '127.0.0.1',
        userAgent: 'haven-bench',
        requestId: crypto.randomUUID(),
      });
      const start0 = await haven.auditRepo.countEntries();
      let t = performance.now();
      let nextLog = 100_000;
      for (let done = 0; done < entries;) {
        const n = Math.min(IN_FLIGHT, entries - done);
        const base = done;
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            haven.writer.submit({ onSuccess: () => [draft(base + i)], onFailure: () => [] }),
          ),
        );
        done += n;
        if (done >= nextLog) {
          log(`  appended ${done.toLocaleString('en-US')} entries`);
          nextLog += 100_000;
        }
      }
      const appendSeconds = (performance.now() - t) / 1000;
      const total = await haven.auditRepo.countEntries();
      if (total - start0 !== entries)
        throw new Error(
          `appended ${entries} audit entries but the trail grew by ${total - start0}`,
        );
      t = performance.now();
      const report = await audit.verifyTrail(haven.auditRepo, [haven.auditKey.verifier]);
      const verifySeconds = (performance.now() - t) / 1000;
      const databaseBytes = fs
        .readdirSync(dataDir)
        .filter((f) => f.startsWith('haven.db'))
        .reduce((s, f) => s + fs.statSync(path.join(dataDir, f)).size, 0);
      return {
        entries: report.entries,
        appendSeconds,
        appendPerSecond: entries / appendSeconds,
        verifySeconds,
        verifyPerSecond: report.entries / verifySeconds,
        checkpointsChecked: report.checkpointsChecked,
        databaseBytes,
        ok: report.ok && report.entries === total,
        ...(report.problem ? { problem: report.problem.message } : {}),
      };
    } finally {
      await haven.close();
    }
  } finally {
    await cleanup();
  }
}
