/**
 * Runs one autocannon measurement in a child process, so the load generator has its own event
 * loop, heap and GC and does not steal turns from the server's event loop (it still shares the
 * 2 cores: that is the machine the figures are for).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  /** Request paths, used in turn across all connections. */
  paths: string[];
  headers: Record<string, string>;
  /** POST bodies, used in turn; every `__BENCH_ID__` becomes a fresh UUID per request. */
  bodies?: string[];
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  bytesPerSecond: number;
  /** CPU time the load generator used during the run, in ms. */
  cpuMs: number;
}

export interface LoadHooks {
  /** Called when autocannon starts and when it has finished, to sample the machine around it. */
  onStart?: (pid: number | undefined) => void;
  onEnd?: () => void;
}

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-worker.ts');

export function runLoad(spec: LoadSpec, hooks: LoadHooks = {}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: LoadResult | undefined;
    child.on('message', (m: { started?: true; result?: LoadResult; error?: string }) => {
      if (m.started) hooks.onStart?.(child.pid);
      else if (m.error) reject(new Error(`load generator: ${m.error}`));
      else {
        hooks.onEnd?.();
        result = m.result;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result
        ? resolve(result)
        : reject(new Error(`load generator exited with ${code} and no result`)),
    );
    child.send(spec);
  });
}
