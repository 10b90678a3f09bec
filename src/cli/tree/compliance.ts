import type { Command } from 'commander';
import { withCommonOptions } from '../output.js';
import type { DeidentifiedFlags, ReportFlags } from '../commands/compliance.js';

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

/** `haven export deidentified`: a Safe Harbor research extract (issue 18 part 4). */
export function exportTree(program: Command): void {
  const exp = program.command('export').description('export data for use outside Haven');
  withCommonOptions(
    exp
      .command('deidentified')
      .description('Safe Harbor de-identified extract as FHIR NDJSON (45 CFR 164.514(b)(2))'),
  )
    .requiredOption('--out <dir>', 'new or empty directory to write the NDJSON files into')
    .option(
      '--include-free-text',
      'keep notes, narratives and comments (only after a reviewer has checked them)',
    )
    .action(async (flags: DeidentifiedFlags) =>
      (await import('../commands/compliance.js')).exportDeidentifiedCommand(flags),
    );
}
