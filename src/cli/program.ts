import { Command, CommanderError } from 'commander';
import { CliFailure } from './output.js';
import { SOFTWARE } from './software.js';
import { auditTree } from './tree/audit.js';
import { backupTree } from './tree/backup.js';
import { clientTree } from './tree/client.js';
import { smartClientTree } from './tree/smart-client.js';
import { demoTree } from './tree/demo.js';
import { complianceTree, exportTree, incidentTree } from './tree/compliance.js';
import { serverTree } from './tree/server.js';
import { keysTree } from './tree/keys.js';
import { userTree } from './tree/user.js';

/**
 * The `haven` command tree; a fresh one per run, since commander keeps parsed options on it.
 * It holds names, descriptions and options only: each action imports its implementation (and
 * with it the store, crypto or server code) when it runs, so `--help` and `--version` load
 * commander and nothing of the server stack (decision 0022).
 */
export function buildProgram(): Command {
  const program = new Command('haven')
    .description(
      'Haven: telehealth and patient records with every HIPAA technical safeguard on by default',
    )
    .version(SOFTWARE.version)
    .exitOverride();
  serverTree(program);
  clientTree(program);
  smartClientTree(program);
  auditTree(program);
  userTree(program);
  keysTree(program);
  demoTree(program);
  backupTree(program);
  complianceTree(program);
  exportTree(program);
  incidentTree(program);
  return program;
}

/**
 * Runs one command line. Returns undefined when the command succeeded (the process ends when
 * its work does; `serve` keeps running), else the exit code, after writing the one-line reason.
 */
export async function runCli(argv: string[]): Promise<number | undefined> {
  try {
    await buildProgram().parseAsync(argv);
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 64;
    // One line, no stack: typed errors carry operator-facing messages without PHI.
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    process.stderr.write(
      `haven: ${message}${typeof code === 'string' && !(e instanceof CliFailure) ? ` [${code}]` : ''}\n`,
    );
    return e instanceof CliFailure ? e.exitCode : 1;
  }
}
