/**
 * One server process's start-up conversion (convertLegacyRelations) on its own connection, for
 * the test that starts two at once. Arguments: engine, SQLite file or PostgreSQL schema; keys
 * in HAVEN_TEST_INDEX_KEY / HAVEN_TEST_RELATION_KEY (hex). Prints the counts it converted.
 */
import { relationCipher } from '../../../src/app/relation-cipher.js';
import { BlindIndex } from '../../../src/crypto/index.js';
import { convertLegacyRelations, openDatabase } from '../../../src/store/index.js';
import { TEST_DATABASE_URL } from '../../support/engines.js';

const [engine, where] = process.argv.slice(2) as ['sqlite' | 'postgres', string];
const database = await openDatabase({
  databaseUrl: engine === 'postgres' ? TEST_DATABASE_URL : undefined,
  schema: engine === 'postgres' ? where : undefined,
  sqlitePath: where,
});
const cipher = relationCipher(
  new BlindIndex(Buffer.from(process.env.HAVEN_TEST_INDEX_KEY!, 'hex')),
  Buffer.from(process.env.HAVEN_TEST_RELATION_KEY!, 'hex'),
);
try {
  const out = await convertLegacyRelations(
    database.db,
    database.engine,
    cipher,
    '2031-01-01T00:00:00.000Z',
  );
  process.stdout.write(JSON.stringify(out));
} finally {
  await database.close();
}
