import type { Command } from 'commander';
import { withCommonOptions, type CommonFlags } from '../output.js';
import type { ServeFlags } from '../commands/serve.js';

/** `haven serve` and `haven init`: declared here; the server stack loads when they run. */
export function serverTree(program: Command): void {
  withCommonOptions(
    program.command('serve').description('run the HTTPS server (FHIR R4 at /fhir/R4)'),
  )
    .option('--host <host>', 'address to listen on (default 127.0.0.1, or HAVEN_HOST)')
    .option('--port <port>', 'port (default 8443, or HAVEN_PORT)')
    .option('--cert <file>', 'TLS certificate (PEM); default: a generated development certificate')
    .option('--key <file>', 'TLS private key (PEM), with --cert')
    .option('--public-url <url>', 'public base URL for links, e.g. https://haven.example.org')
    .option('--workers <n>', 'server processes sharing the port (default 1, or HAVEN_WORKERS)')
    .option('--backup-every <interval>', 'take a backup every 24h / 90m / 7d (ADR 0029)')
    .option('--backup-keep <n>', 'scheduled backups kept (newest first)', '30')
    .option('--backup-dir <dir>', 'where scheduled backups go (default DATA/backups)')
    .option('--bench-baseline', 'also serve /bench/baseline (benchmarks only)')
    .option(
      '--demo',
      'seed the synthetic demo clinic first when the installation has no people (see `haven demo`)',
    )
    .action(async (flags: ServeFlags) => (await import('../commands/serve.js')).serve(flags));

  withCommonOptions(
    program
      .command('init')
      .description('create the data directory, database, keyring and development certificate'),
  ).action(async (flags: CommonFlags) => (await import('../commands/init.js')).init(flags));
}
