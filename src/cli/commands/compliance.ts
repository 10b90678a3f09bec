import os from 'node:os';
import type { Haven } from '../../app/index.js';
import { complianceReport, renderReport, type RecordCompliance } from '../../compliance/index.js';
import { CliFailure, withHaven, type CommonFlags } from '../common.js';

export type ReportFlags = CommonFlags & { format?: string };

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
