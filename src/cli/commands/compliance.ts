import os from 'node:os';
import type { Haven } from '../../app/index.js';
import path from 'node:path';
import {
  complianceReport,
  exportDeidentified,
  renderReport,
  storedRecords,
  type RecordCompliance,
} from '../../compliance/index.js';
import { CliFailure, print, withHaven, type CommonFlags } from '../common.js';

export type ReportFlags = CommonFlags & { format?: string };
export type DeidentifiedFlags = CommonFlags & { out: string; includeFreeText?: boolean };

const FORMATS = ['md', 'html', 'json'] as const;

/** The operator at the terminal, as the audited actor of a compliance command. */
export function operatorRecorder(haven: Pick<Haven, 'audit'>): RecordCompliance {
  return (e) =>
    haven.audit.append({ ...e, actorType: 'system', actorId: `cli:${os.userInfo().username}` });
}

/** `haven compliance report` (declared in ../tree/compliance.ts). */
export async function complianceReportCommand(flags: ReportFlags): Promise<void> {
  const format = flags.json ? 'json' : (flags.format ?? 'md');
  if (!(FORMATS as readonly string[]).includes(format))
    throw new CliFailure('--format must be md, html or json', 64);
  const report = await withHaven(flags, (haven) =>
    complianceReport(haven, operatorRecorder(haven)),
  );
  process.stdout.write(renderReport(report, format as (typeof FORMATS)[number]));
  if (report.summary.fail > 0)
    throw new CliFailure(`${report.summary.fail} compliance check(s) failed`, 3);
}

/** `haven export deidentified --out DIR` (declared in ../tree/compliance.ts). */
export async function exportDeidentifiedCommand(flags: DeidentifiedFlags): Promise<void> {
  const result = await withHaven(flags, (haven) =>
    exportDeidentified(
      storedRecords(haven),
      {
        outDir: path.resolve(flags.out),
        now: haven.clock(),
        includeFreeText: flags.includeFreeText === true,
      },
      operatorRecorder(haven),
    ),
  );
  const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
  print(
    flags,
    result,
    `wrote ${total} de-identified resources in ${Object.keys(result.counts).length} NDJSON files ` +
      `to ${result.outDir}${result.includeFreeText ? ' (free text included)' : ''}`,
  );
}
