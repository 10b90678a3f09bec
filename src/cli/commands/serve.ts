import type { Command } from 'commander';
import { openHaven } from '../../app/index.js';
import { startServer } from '../../http/index.js';
import { configFrom, print, withCommonOptions, type CommonFlags } from '../common.js';
import { SOFTWARE } from '../software.js';

interface ServeFlags extends CommonFlags {
  benchBaseline?: boolean;
  publicUrl?: string;
}

export function serveCommand(program: Command): void {
  withCommonOptions(
    program.command('serve').description('run the HTTPS server (FHIR R4 at /fhir/R4)'),
  )
    .option('--host <host>', 'address to listen on (default 127.0.0.1, or HAVEN_HOST)')
    .option('--port <port>', 'port (default 8443, or HAVEN_PORT)')
    .option('--cert <file>', 'TLS certificate (PEM); default: a generated development certificate')
    .option('--key <file>', 'TLS private key (PEM), with --cert')
    .option('--public-url <url>', 'public base URL for links, e.g. https://haven.example.org')
    .option('--bench-baseline', 'also serve /bench/baseline (benchmarks only)')
    .action(async (flags: ServeFlags) => {
      const config = configFrom(flags);
      const haven = await openHaven(config);
      const server = await startServer(haven, {
        software: SOFTWARE,
        publicBaseUrl: flags.publicUrl,
        benchBaseline: flags.benchBaseline === true,
      });
      const text = [
        `Haven is listening on ${server.url}  (FHIR R4: ${server.url}/fhir/R4)`,
        `Database: ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}; keyring: ${config.keyringPath}`,
        server.certificate.generated || !config.tlsCertPath
          ? `TLS: development certificate ${server.certificate.certPath} (trust it in your client, or pass --cert/--key)`
          : 'TLS: operator certificate',
        `Get a credential: npm run haven -- client add --name my-app --scopes "system/*.rs system/Patient.cu"`,
      ].join('\n');
      print(
        flags,
        {
          url: server.url,
          fhir: `${server.url}/fhir/R4`,
          certificate: server.certificate.certPath,
        },
        text,
      );
      const stop = async () => {
        await server.close();
        await haven.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
