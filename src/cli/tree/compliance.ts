import type { Command } from 'commander';
import { withCommonOptions } from '../output.js';
import type { ReportFlags } from '../commands/compliance.js';

/** `haven compliance …`: declared here; each action loads its implementation when it runs. */
export function complianceTree(program: Command): void {
  const compliance = program
    .command('compliance')
    .description('check the installation against the HIPAA technical safeguards');

  withCommonOptions(
    compliance
      .command('report')
      .description('pass/fail per safeguard with evidence and fixes (exit 3 when any check fails)'),
  )
    .option('--format <format>', 'md, html or json', 'md')
    .action(async (flags: ReportFlags) =>
      (await import('../commands/compliance.js')).complianceReportCommand(flags),
    );
}
