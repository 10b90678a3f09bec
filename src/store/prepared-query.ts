import { CompiledQuery, type Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

/**
 * A query built with Kysely once, then executed many times with new arguments: the hot paths
 * (every authenticated read) skip rebuilding and recompiling the query tree, which costs more
 * than the SQLite lookup itself. The query is built with sentinel arguments; each compiled
 * parameter is mapped back to the argument it came from, and constants stay as compiled.
 */
export function prepareQuery<A extends unknown[], R>(
  db: Kysely<HavenDatabase>,
  arity: number,
  build: (...args: string[]) => { compile(): CompiledQuery<R> },
): (...args: A) => Promise<R[]> {
  const sentinels = Array.from({ length: arity }, (_, i) => `\u0000haven-arg-${i}\u0000`);
  const compiled = build(...sentinels).compile();
  const sources = compiled.parameters.map((p) => {
    const i = typeof p === 'string' ? sentinels.indexOf(p) : -1;
    return i >= 0 ? { arg: i, value: undefined } : { arg: -1, value: p };
  });
  const used = new Set(sources.filter((s) => s.arg >= 0).map((s) => s.arg));
  if (used.size !== arity)
    throw new Error('prepareQuery: every argument must appear as a parameter');
  return async (...args: A) => {
    const params = sources.map((s) => (s.arg >= 0 ? args[s.arg] : s.value));
    const result = await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, params));
    return result.rows;
  };
}
