import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Tests leave nothing behind. Each run gets its own temporary directory (TMPDIR, so every
 * mkdtemp under os.tmpdir() in the test processes and their children lands in it) and its own
 * PostgreSQL schema prefix (see makeTarget). At the end, whatever is still there was leaked by a
 * test: it is removed, and the run fails naming it, so the leak gets fixed rather than piling
 * up on a shared machine. Other runs' directories and schemas are never touched.
 */
export default function setup(): () => Promise<void> {
  const run = crypto.randomBytes(4).toString('hex');
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `haven-run-${run}-`));
  process.env.HAVEN_TEST_RUN = run;
  process.env.TMPDIR = runDir;
  return async () => {
    // tsx keeps its compile cache in the temporary directory (tsx-<uid>): not a test's leak.
    const leftDirs = fs.readdirSync(runDir).filter((f) => !f.startsWith('tsx-'));
    fs.rmSync(runDir, { recursive: true, force: true });
    const leftSchemas = await dropRunSchemas(run);
    if (leftDirs.length > 0 || leftSchemas.length > 0) {
      // Vitest reports an error thrown here but still exits 0: set the exit code as well.
      process.exitCode = 1;
      throw new Error(
        `tests left ${leftDirs.length} temporary directories (${leftDirs.slice(0, 10).join(', ')}) ` +
          `and ${leftSchemas.length} PostgreSQL schemas (${leftSchemas.slice(0, 10).join(', ')}) ` +
          'behind; they have been removed now, but the test that made them must clean up',
      );
    }
  };
}

async function dropRunSchemas(run: string): Promise<string[]> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch {
    return []; // no PostgreSQL: the PostgreSQL tests failed on their own already
  }
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE $1`,
      [`haven\\_t\\_${run}\\_%`],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}
