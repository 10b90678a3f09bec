import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RecordCompliance } from '../audit-port.js';
import { deidentifyResource } from './safe-harbor.js';

export interface DeidentifiedExportOptions {
  outDir: string;
  now: Date;
  includeFreeText: boolean;
}

export interface DeidentifiedExportResult {
  outDir: string;
  /** Resources written per resource type (the NDJSON files). */
  counts: Record<string, number>;
  skipped: number;
  includeFreeText: boolean;
}

export class ExportTargetError extends Error {
  readonly code = 'export-target';
}

/**
 * Writes a Safe Harbor extract as FHIR NDJSON, one `<Type>.ndjson` per resource type, plus a
 * manifest. The pseudonym key is random per export and lives only in this function's memory:
 * it is never written, logged or returned, so nobody (Haven included) can map a pseudonym back.
 * The directory must be new or empty, and is created 0700 (files 0600). Audited before the first
 * file is written (the intent, with the opt-in) and after the last (the counts).
 */
export async function exportDeidentified(
  source: AsyncIterable<Record<string, unknown>>,
  o: DeidentifiedExportOptions,
  record: RecordCompliance,
): Promise<DeidentifiedExportResult> {
  prepareDir(o.outDir);
  await record({
    action: 'deidentified-export',
    outcome: 'success',
    detail: { stage: 'start', freeText: o.includeFreeText },
  });
  const key = crypto.randomBytes(32);
  const files = new Map<string, number>();
  const counts: Record<string, number> = {};
  let skipped = 0;
  try {
    for await (const resource of source) {
      const out = deidentifyResource(resource, {
        key,
        now: o.now,
        includeFreeText: o.includeFreeText,
      });
      if (!out) {
        skipped += 1;
        continue;
      }
      const type = out.resourceType as string;
      let fd = files.get(type);
      if (fd === undefined) {
        fd = fs.openSync(path.join(o.outDir, `${type}.ndjson`), 'wx', 0o600);
        files.set(type, fd);
      }
      fs.writeSync(fd, `${JSON.stringify(out)}\n`);
      counts[type] = (counts[type] ?? 0) + 1;
    }
  } finally {
    key.fill(0);
    for (const fd of files.values()) fs.closeSync(fd);
  }
  fs.writeFileSync(
    path.join(o.outDir, 'manifest.json'),
    `${JSON.stringify(
      {
        method: 'HIPAA Safe Harbor, 45 CFR 164.514(b)(2)',
        exportedYear: o.now.getUTCFullYear(),
        freeTextIncluded: o.includeFreeText,
        pseudonyms: 'HMAC-SHA-256 under a per-export random key that was not kept',
        files: Object.fromEntries(Object.entries(counts).map(([t, n]) => [`${t}.ndjson`, n])),
      },
      null,
      2,
    )}\n`,
    { flag: 'wx', mode: 0o600 },
  );
  await record({
    action: 'deidentified-export',
    outcome: 'success',
    detail: { stage: 'done', resources: Object.values(counts).reduce((a, b) => a + b, 0), skipped },
  });
  return { outDir: o.outDir, counts, skipped, includeFreeText: o.includeFreeText };
}

function prepareDir(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)
      throw new ExportTargetError(`${dir} must be a new or empty directory`);
  } else fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}
