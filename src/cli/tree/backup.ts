import type { Command } from 'commander';
import type { BackupFlags, DisposeFlags } from '../commands/backup.js';
import { withCommonOptions, type CommonFlags } from '../output.js';

const load = () => import('../commands/backup.js');

/** `haven backup`, `haven backup verify`, `haven restore`, `haven patient dispose` (ADR 0029). */
export function backupTree(program: Command): void {
  const backup = withCommonOptions(
    program
      .command('backup')
      .description('encrypted, consistent backup of the database into FILE (works while serving)')
      .argument('[file]', 'the backup file to write'),
  )
    .option('--compression <kind>', 'gzip or brotli', 'gzip')
    .action(async (file: string | undefined, flags: BackupFlags) => {
      if (!file) throw new (await import('../output.js')).CliFailure('haven backup FILE', 64);
      return (await load()).backupCreate(file, flags);
    });
  withCommonOptions(
    backup
      .command('verify')
      .description('restore FILE into a scratch database, decrypt samples, verify its audit trail')
      .argument('<file>'),
  ).action(async (file: string, flags: CommonFlags, cmd: Command) =>
    // Options written after `verify` may be taken by `backup` itself: read both.
    (await load()).backupVerify(file, { ...(cmd.parent?.opts() as CommonFlags), ...flags }),
  );
  withCommonOptions(
    program
      .command('restore')
      .description('restore a backup into an empty data directory or database')
      .argument('<file>'),
  ).action(async (file: string, flags: CommonFlags) => (await load()).restore(file, flags));
  const patient = program.command('patient').description("a patient's record as a whole");
  withCommonOptions(
    patient
      .command('dispose')
      .description('dispose of a record (crypto-shredding) after retention: two admins')
      .argument('<patient-id>'),
  )
    .requiredOption('--as <user-id>', 'the admin acting (requester, or approver with --approve)')
    .option('--approve <request-id>', 'approve (and carry out) a request made by another admin')
    .option(
      '--override <reason>',
      'before retention: created-in-error, duplicate-record, legal-order',
    )
    .action(async (id: string, flags: DisposeFlags) => (await load()).patientDispose(id, flags));
}
