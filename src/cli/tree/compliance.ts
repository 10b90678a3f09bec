import type { Command } from 'commander';
import { withCommonOptions } from '../output.js';
import type { DeidentifiedFlags, ReportFlags } from '../commands/compliance.js';
import type { IncidentFlags } from '../commands/incident.js';

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

/** `haven incident …`: breach response for the privacy officer (issue 18 part 3). */
export function incidentTree(program: Command): void {
  const incident = program
    .command('incident')
    .description('record security incidents, assess them and track breach notices');
  const load = () => import('../commands/incident.js');

  withCommonOptions(incident.command('create').description('record an incident (no PHI)'))
    .requiredOption('--discovered <date>', 'when the incident was discovered (ISO date)')
    .requiredOption('--description <text>', 'what happened, without patient data')
    .option('--systems <list>', 'affected systems, comma-separated', '')
    .action(async (flags: IncidentFlags) => (await load()).incidentCreate(flags));

  withCommonOptions(incident.command('list').description('incidents with their deadlines')).action(
    async (flags: IncidentFlags) => (await load()).incidentList(flags),
  );

  withCommonOptions(incident.command('show').description('one incident').argument('<id>')).action(
    async (id: string, flags: IncidentFlags) => (await load()).incidentShow(id, flags),
  );

  withCommonOptions(
    incident
      .command('assess')
      .description('record the four-factor risk assessment (45 CFR 164.402(2))')
      .argument('<id>'),
  )
    .requiredOption('--nature <text>', 'nature and extent of the PHI involved')
    .requiredOption('--person <text>', 'the unauthorized person (a role, not a name)')
    .requiredOption('--acquired <kind>', 'acquired, viewed, not-acquired or unknown')
    .requiredOption('--mitigation <text>', 'how the risk has been mitigated')
    .option('--low-probability', 'conclude a low probability of compromise (no notice)')
    .action(async (id: string, flags: IncidentFlags) => (await load()).incidentAssess(id, flags));

  withCommonOptions(
    incident
      .command('affected')
      .description("count the patients an actor's accesses reached in a window (audit trail)")
      .argument('<id>'),
  )
    .requiredOption('--actor <id>', 'user or client id')
    .requiredOption('--from <date>', 'window start (ISO)')
    .requiredOption('--to <date>', 'window end (ISO, exclusive)')
    .action(async (id: string, flags: IncidentFlags) => (await load()).incidentAffected(id, flags));

  withCommonOptions(
    incident
      .command('notice')
      .description('print a notice letter draft (recipient fields stay placeholders)')
      .argument('<id>'),
  )
    .requiredOption('--organization <name>', 'covered entity name')
    .requiredOption('--phone <number>', 'toll-free number')
    .requiredOption('--email <address>', 'contact email')
    .requiredOption('--postal <address>', 'postal address')
    .action(async (id: string, flags: IncidentFlags) => (await load()).incidentNotice(id, flags));
}
