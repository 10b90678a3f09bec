import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the Synthea R4 bundles (synthetic people) used by tests and the benchmark live: the
 * directory in HAVEN_SYNTHEA_DIR, else `../shared/data/synthea-r4` beside the repository.
 * One setting for every test and the bench, so a clone anywhere finds them.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SYNTHEA_DIR = path.resolve(REPO_ROOT, '../shared/data/synthea-r4');

export function syntheaDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.HAVEN_SYNTHEA_DIR;
  return configured ? path.resolve(configured) : DEFAULT_SYNTHEA_DIR;
}

/**
 * The bundle file names, sorted. Missing data is an error that says where it was expected and
 * how to point elsewhere: a test that silently skipped would prove nothing.
 */
export function syntheaBundleNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = syntheaDir(env);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (names.length === 0) {
    throw new Error(
      `Synthea R4 bundles not found: expected *.json in ${dir}` +
        `${env.HAVEN_SYNTHEA_DIR ? ' (from HAVEN_SYNTHEA_DIR)' : ' (the default, ../shared/data/synthea-r4 beside the repository)'}; ` +
        'put the data there or set HAVEN_SYNTHEA_DIR to the directory that holds it',
    );
  }
  return names.sort();
}
