/**
 * Haven as it ships: the compiled modules in dist/ (npm run bench builds them first), typed by
 * their sources. Importing src/ through tsx would measure esbuild's transpilation instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const load = async <T>(rel: string): Promise<T> => {
  const file = path.join(ROOT, 'dist', rel);
  if (!fs.existsSync(file))
    throw new Error(`${file} is missing: run \`npm run build\` (npm run bench does)`);
  return (await import(pathToFileURL(file).href)) as T;
};

export const app = await load<typeof import('../src/app/index.js')>('app/index.js');
export const audit = await load<typeof import('../src/audit/index.js')>('audit/index.js');
export const auth = await load<typeof import('../src/auth/index.js')>('auth/index.js');
/** Not on auth's public surface: the bench computes TOTP codes as an authenticator app would. */
export const totp =
  await load<typeof import('../src/auth/totp/totp-core.js')>('auth/totp/totp-core.js');
export const config = await load<typeof import('../src/config/index.js')>('config/index.js');
export const http = await load<typeof import('../src/http/index.js')>('http/index.js');
export const tls = await load<typeof import('../src/http/tls/index.js')>('http/tls/index.js');
export const logging = await load<typeof import('../src/logging/index.js')>('logging/index.js');
export const store = await load<typeof import('../src/store/index.js')>('store/index.js');

/** The compiled CLI, started as a child process for the multi-process runs. */
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

export type { Haven } from '../src/app/index.js';
export type { AuditDraft } from '../src/audit/index.js';
export type { RunningServer } from '../src/http/index.js';

/** Warns when a source file is newer than its build output (someone ran run.ts without building). */
export function warnIfStale(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const out = path
          .join(ROOT, 'dist', path.relative(path.join(ROOT, 'src'), p))
          .replace(/\.ts$/, '.js');
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(p).mtimeMs)
          stale.push(path.relative(ROOT, p));
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  if (stale.length > 0)
    console.warn(
      `WARNING: dist/ is older than ${stale.length} source file(s) (e.g. ${stale[0]}); run npm run bench to rebuild`,
    );
}
