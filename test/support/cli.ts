import { runCli } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `haven <args>` in this process through the real commander program (no child process, so
 * a test of every command stays fast). Output written to process.stdout/stderr is captured;
 * `env` replaces the HAVEN_ and DATABASE_ settings for the run.
 */
export async function runHaven(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) {
    if (k.startsWith('HAVEN_') || k === 'DATABASE_URL' || k === 'REDIS_URL') delete process.env[k];
  }
  Object.assign(process.env, env);
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = (await runCli(['node', 'haven', ...args])) ?? 0;
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.env = saved;
  }
}
