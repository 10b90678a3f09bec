import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A redis-server of the test's own, on a free loopback port, that the test may stop, freeze and
 * start again on the same port (with the same append-only file, so its data survives a restart).
 * The shared Redis on 6379 is never touched.
 */
export interface OwnRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGTERM and wait for exit (Redis flushes its append-only file first). */
  stop(): Promise<void>;
  /** SIGSTOP: the connection stays open but nothing is answered. */
  freeze(): void;
  thaw(): void;
  cleanup(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (out.includes('Ready to accept connections')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    cleanup: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
