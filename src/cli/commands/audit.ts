import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { checkExternalCheckpoint, verifyTrail } from '../../audit/index.js';
import { CliFailure, print, withCommonOptions, withHaven, type CommonFlags } from '../common.js';
import { auditExportCommands } from './audit-export.js';
import { auditSearchCommand } from './audit-search.js';

export function auditCommand(program: Command): void {
  const audit = program.command('audit').description('check the tamper-evident audit trail');

  withCommonOptions(
    audit.command('verify').description('verify every entry against the signed checkpoints'),
  )
    .option('--from-checkpoint <file>', 'also check against a checkpoint kept outside the database')
    .action(async (flags: CommonFlags & { fromCheckpoint?: string }) => {
      const external = flags.fromCheckpoint ? readExternal(flags.fromCheckpoint) : undefined;
      const bar =
        flags.json || !process.stderr.isTTY
          ? undefined
          : new SingleBar({
              format: 'verifying {bar} {value}/{total} entries',
              stream: process.stderr,
            });
      const report = await withHaven(flags, async (haven) => {
        if (external !== undefined) {
          // A wrong file is a wrong file, not evidence of tampering: say which it is.
          const problem = checkExternalCheckpoint(
            external,
            haven.config.auditOrigin,
            haven.auditKey.verifier,
          );
          if (problem) throw new CliFailure(`${flags.fromCheckpoint} ${problem.message}`);
        }
        bar?.start(1, 0);
        try {
          return await verifyTrail(haven.auditRepo, [haven.auditKey.verifier], {
            // The newest checkpoint exported out of the database is an anchor too, so deleting
            // checkpoints from the database cannot hide a rewritten trail.
            externalCheckpoints: [
              ...(external !== undefined ? [external] : []),
              ...newestExported(haven.config.dataDir),
            ],
            onProgress: (done, total) => {
              bar?.setTotal(Math.max(total, 1));
              bar?.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
      });
      if (!report.ok) {
        if (flags.json) print(flags, report, '');
        throw new CliFailure(
          `audit trail verification FAILED at entry ${report.problem!.seq}: ${report.problem!.message}`,
          2,
        );
      }
      print(
        flags,
        report,
        `audit trail OK: ${report.entries} entries, ${report.checkpointsChecked} signed checkpoints verified`,
      );
    });

  auditSearchCommand(audit);
  auditExportCommands(audit);
}

function newestExported(dataDir: string): string[] {
  const dir = path.join(dataDir, 'audit-checkpoints');
  if (!fs.existsSync(dir)) return [];
  const newest = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.note'))
    .sort()
    .at(-1);
  return newest ? [fs.readFileSync(path.join(dir, newest), 'utf8')] : [];
}

function readExternal(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliFailure(`cannot read checkpoint file ${file}`);
  }
}
