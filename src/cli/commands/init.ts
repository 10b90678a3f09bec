import type { Command } from 'commander';
import { ensureDevCertificate } from '../../http/index.js';
import { print, withCommonOptions, withHaven, type CommonFlags } from '../common.js';

export function initCommand(program: Command): void {
  withCommonOptions(
    program
      .command('init')
      .description('create the data directory, database, keyring and development certificate'),
  ).action(async (flags: CommonFlags) => {
    const result = await withHaven(
      flags,
      async (haven) => {
        const cert = await ensureDevCertificate(haven.config.dataDir);
        return {
          dataDir: haven.config.dataDir,
          database: haven.database.engine,
          keyring: haven.config.keyringPath,
          certificate: cert.certPath,
          auditPublicKey: haven.auditKey.verifierKey,
        };
      },
      { create: true },
    );
    print(
      flags,
      result,
      [
        `Initialized Haven in ${result.dataDir} (${result.database})`,
        `Keyring: ${result.keyring} (back it up separately from the database: without it the data cannot be read)`,
        `Development certificate: ${result.certificate}`,
        `Audit checkpoint public key: ${result.auditPublicKey}`,
      ].join('\n'),
    );
  });
}
