import type { Command } from 'commander';
import { withCommonOptions } from '../output.js';
import type { ArchiveFlags, ExportFlags, ProveFlags } from '../commands/audit-export.js';
import type { SearchFlags } from '../commands/audit-search.js';
import type { VerifyExportFlags } from '../commands/audit-verify-export.js';
import type { VerifyFlags } from '../commands/audit.js';

/** `haven audit …`: declared here; each action loads its implementation when it runs. */
export function auditTree(program: Command): void {
  const audit = program.command('audit').description('check the tamper-evident audit trail');

  withCommonOptions(
    audit.command('verify').description('verify every entry against the signed checkpoints'),
  )
    .option('--from-checkpoint <file>', 'also check against a checkpoint kept outside the database')
    .action(async (flags: VerifyFlags) =>
      (await import('../commands/audit.js')).auditVerify(flags),
    );

  withCommonOptions(
    audit
      .command('search')
      .description('list audit entries (newest first) by time, actor, patient, outcome, action'),
  )
    .option('--from <date>', 'entries at or after this ISO date/time')
    .option('--to <date>', 'entries before this ISO date/time')
    .option('--actor <id>', 'actor id (user id, client id, or cli:<os user>)')
    .option('--patient <id>', 'FHIR Patient id whose record was touched')
    .option('--outcome <outcome>', 'success, denied or failure')
    .option('--action <action>', 'Haven action code, e.g. read, search, login-password, export')
    .option('--limit <n>', 'entries per page (1 to 1000)', '50')
    .option('--offset <n>', 'entries to skip (the next page starts at offset + limit)', '0')
    .action(async (flags: SearchFlags) =>
      (await import('../commands/audit-search.js')).auditSearch(flags),
    );

  withCommonOptions(
    audit
      .command('prove')
      .description('RFC 6962 inclusion proof of one entry against the newest checkpoint'),
  )
    .requiredOption('--seq <n>', 'sequence number of the entry')
    .action(async (flags: ProveFlags) =>
      (await import('../commands/audit-export.js')).auditProve(flags),
    );

  withCommonOptions(
    audit.command('export').description('export entries and their signed checkpoints'),
  )
    .option('--since <date>', 'first day to include (ISO date); default: the whole trail')
    .option('--format <format>', 'jsonl or fhir', 'jsonl')
    .requiredOption('--out <file>', 'file to write (created; never overwritten)')
    .option('--no-sign', 'do not sign a checkpoint over the newest entries first')
    .action(async (flags: ExportFlags) =>
      (await import('../commands/audit-export.js')).auditExport(flags),
    );

  audit
    .command('verify-export')
    .description('check an export with only the published verifier key (no database needed)')
    .argument('<file>')
    .requiredOption(
      '--key <key-or-file>',
      'the audit verifier key: the path of audit-public-key.txt, or the key text itself',
    )
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, flags: VerifyExportFlags) =>
      (await import('../commands/audit-verify-export.js')).auditVerifyExport(file, flags),
    );

  withCommonOptions(
    audit
      .command('archive')
      .description('export, then remove entries older than the six-year retention'),
  )
    .requiredOption(
      '--before <date>',
      'archive entries written before this ISO date (at least six years ago)',
    )
    .requiredOption('--out <file>', 'archive file to write (jsonl; created, never overwritten)')
    .action(async (flags: ArchiveFlags) =>
      (await import('../commands/audit-export.js')).auditArchive(flags),
    );
}
