import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Coturn {
  port: number;
  secret: string;
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A coturn of the test's own on loopback: own port, own temporary configuration, stopped after.
 * TURN REST-API authentication from a shared secret, as docs/operations/coturn.md configures
 * it, except `allow-loopback-peers` (only here: the test's peers are on 127.0.0.1, and the
 * production configuration denies loopback and private ranges as relay peers).
 */
export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-coturn-'));
  const conf = path.join(dir, 'turnserver.conf');
  const minPort = 40000 + Math.floor(Math.random() * 200) * 100;
  fs.writeFileSync(
    conf,
    [
      `listening-ip=127.0.0.1`,
      `relay-ip=127.0.0.1`,
      `listening-port=${port}`,
      `min-port=${minPort}`,
      `max-port=${minPort + 99}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      'realm=haven.test',
      'fingerprint',
      'no-cli',
      'no-tls',
      'no-dtls',
      'no-tcp-relay',
      'allow-loopback-peers',
      `pidfile=${path.join(dir, 'turnserver.pid')}`,
      'log-file=stdout',
      'simple-log',
    ].join('\n') + '\n',
  );
  const child: ChildProcess = spawn('/usr/bin/turnserver', ['-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  // Ready once it listens on its UDP port (a TCP listener on the same port comes with it).
  const until = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`coturn did not start: ${output.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    secret,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
