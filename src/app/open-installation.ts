import path from 'node:path';
import type { HavenConfig } from '../config/index.js';
import { describeDatabase, openDatabase, StoreError, type Database } from '../store/index.js';

/** There is no Haven installation where a command that may not create one was pointed. */
export class NotInstalledError extends Error {
  readonly code = 'not-installed';
}

/**
 * Opens the installation's database. With `create` false (every command but init and serve) a
 * missing database, schema or set of Haven tables is refused with a message that names where
 * Haven looked, and nothing is created there.
 */
export async function openInstallation(
  config: HavenConfig,
  create: boolean,
  onConnectionError?: (code: string) => void,
): Promise<Database> {
  try {
    return await openDatabase({
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
      sqlitePath: path.join(config.dataDir, 'haven.db'),
      create,
      ...(onConnectionError && { onConnectionError }),
    });
  } catch (e) {
    if (e instanceof StoreError && e.code === 'not-installed') {
      const where = config.databaseUrl
        ? describeDatabase(config.databaseUrl, config.databaseSchema)
        : `data directory ${config.dataDir}`;
      throw new NotInstalledError(
        `no Haven installation in ${where}; create one with "haven init" (same --data/--database-url), or point this command at an existing one`,
      );
    }
    throw e;
  }
}
