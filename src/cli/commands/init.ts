import { ensureDevCertificate } from '../../http/index.js';
import { print, withHaven, type CommonFlags } from '../common.js';

/** `haven init` (declared in ../tree/server.ts). */
export async function init(flags: CommonFlags): Promise<void> {
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
}
