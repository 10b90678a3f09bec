import type { FastifyInstance } from 'fastify';
import type { Haven } from '../app/index.js';
import { buildApp, type AppOptions } from './build-app.js';
import { ensureDevCertificate, loadCertificate } from './tls/index.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  certificate: { certPath: string; generated: boolean };
  close(): Promise<void>;
}

/** Loads the operator's certificate or the development one, builds the app and listens. */
export async function startServer(
  haven: Haven,
  opts: Omit<AppOptions, 'tls'>,
): Promise<RunningServer> {
  const { config } = haven;
  const cert =
    config.tlsCertPath && config.tlsKeyPath
      ? { ...(await loadCertificate(config.tlsCertPath, config.tlsKeyPath)), created: false }
      : await ensureDevCertificate(config.dataDir);
  const app = await buildApp(haven, {
    ...opts,
    tls: { certPem: cert.certPem, keyPem: cert.keyPem },
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    url: `https://${host}:${port}`,
    certificate: { certPath: cert.certPath, generated: cert.created },
    close: async () => {
      await app.close();
    },
  };
}
