import fs from 'node:fs';
import { verifyExport } from '../../audit/index.js';
import { CliFailure, print } from '../output.js';

/*
 * `haven audit verify-export` (declared in ../tree/audit.ts): an auditor's check with only the
 * published verifier key. It opens no database, so it imports nothing of the server stack.
 */

export interface VerifyExportFlags {
  key: string;
  json?: boolean;
}

export async function auditVerifyExport(file: string, flags: VerifyExportFlags): Promise<void> {
  const text = readOrFail(file, 'export file');
  const report = verifyExport(text, verifierKeyFrom(flags.key));
  if (!report.ok) throw new CliFailure(`export verification FAILED: ${report.problem}`, 2);
  print(
    flags,
    report,
    `export OK: ${report.entries} entries, ${report.checkpoints} signed checkpoints match`,
  );
}

/**
 * `--key` takes the verifier key itself (`name+hash+base64`) or the path of a file holding it
 * (audit-public-key.txt). A key string never names an existing file, so the two cannot clash.
 */
function verifierKeyFrom(arg: string): string {
  if (fs.existsSync(arg) && fs.statSync(arg).isFile()) return readOrFail(arg, 'key file').trim();
  return arg.trim();
}

function readOrFail(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliFailure(`cannot read ${what} ${file}`);
  }
}
