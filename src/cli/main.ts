#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { clientCommand } from './commands/client.js';
import { initCommand } from './commands/init.js';
import { serveCommand } from './commands/serve.js';
import { userCommand } from './commands/user.js';
import { CliFailure } from './common.js';
import { SOFTWARE } from './software.js';

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

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 64);
  // One line, no stack: typed errors carry operator-facing messages without PHI.
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  process.stderr.write(
    `haven: ${message}${typeof code === 'string' && !(e instanceof CliFailure) ? ` [${code}]` : ''}\n`,
  );
  process.exit(e instanceof CliFailure ? e.exitCode : 1);
}
