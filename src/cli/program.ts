import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { clientCommand } from './commands/client.js';
import { initCommand } from './commands/init.js';
import { keysCommand } from './commands/keys.js';
import { serveCommand } from './commands/serve.js';
import { userCommand } from './commands/user.js';
import { CliFailure } from './common.js';
import { SOFTWARE } from './software.js';

/** The `haven` command tree; a fresh one per run, since commander keeps parsed options on it. */
export function buildProgram(): Command {
  const program = new Command('haven')
    .description(
      'Haven: telehealth and patient records with every HIPAA technical safeguard on by default',
    )
    .version(SOFTWARE.version)
    .exitOverride();
  serveCommand(program);
  initCommand(program);
  clientCommand(program);
  auditCommand(program);
  userCommand(program);
  keysCommand(program);
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
