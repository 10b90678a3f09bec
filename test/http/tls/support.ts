import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions, TLSSocket } from 'node:tls';

export const BODY = 'haven-tls-ok';

export async function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'haven-tls-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  port: number;
  /** How many requests reached the handler: a refused client must not add to it. */
  handlerCalls: () => number;
  /** The server-side reason for the next failed handshake (fails after 3 s if there is none). */
  nextClientError: () => Promise<Error & { code?: string }>;
  close: () => Promise<void>;
}

/** A real HTTPS server on 127.0.0.1, ephemeral port, answering every request with BODY. */
export async function startServer(options: https.ServerOptions): Promise<TestServer> {
  let calls = 0;
  const server = https.createServer(options, (_req, res) => {
    calls += 1;
    res.end(BODY);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    handlerCalls: () => calls,
    nextClientError: async () => {
      const [err] = await once(server, 'tlsClientError', { signal: AbortSignal.timeout(3000) });
      return err as Error & { code?: string };
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface Fetched {
  status: number | undefined;
  body: string;
  protocol: string | null;
  cipher: string;
  group: string | undefined;
  reused: boolean;
  sessions: Buffer[];
}

/** GET / over a fresh TLS connection (no agent, no pooling), trusting only `ca`. */
export function fetchOverTls(
  port: number,
  ca: string,
  tlsOptions: https.RequestOptions & Pick<ConnectionOptions, 'session'> = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const sessions: Buffer[] = [];
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        ca,
        servername: 'localhost',
        agent: false,
        ...tlsOptions,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const info = {
          status: res.statusCode,
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().name,
          group: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name,
          reused: socket.isSessionReused(),
        };
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ ...info, body, sessions }));
        res.on('error', reject);
      },
    );
    req.on('socket', (socket) => socket.on('session', (s: Buffer) => sessions.push(s)));
    req.on('error', reject);
  });
}
