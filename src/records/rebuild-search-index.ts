import type { ResourceRepository } from '../store/index.js';
import type { SealedResources } from './sealed-resources.js';
import { searchRegistry } from './search/index.js';

export interface RebuildDeps {
  resources: ResourceRepository;
  sealed: SealedResources;
  clock: () => Date;
}

export interface RebuildResult {
  /** Whether the stored index was built with another registry version (and was rebuilt). */
  rebuilt: boolean;
  /** Resources re-indexed. */
  records: number;
  version: string;
}

const BATCH = 200;

/**
 * Re-indexes stored records when the search-parameter registry changed since their tokens were
 * written (a record stored before a parameter was supported must become findable by it). Runs at
 * open, before requests are served. Each record is decrypted through SealedResources, exactly
 * as at write time, and only its tokens leave this function; nothing is disclosed, so nothing is
 * audited. The new version is recorded only after every batch, so an interrupted rebuild starts
 * again at the next open.
 */
export async function rebuildSearchIndex(deps: RebuildDeps, batch = BATCH): Promise<RebuildResult> {
  const version = searchRegistry().version;
  if ((await deps.resources.searchIndexVersion()) === version)
    return { rebuilt: false, records: 0, version };
  let records = 0;
  let after: { resourceType: string; id: string } | undefined;
  for (;;) {
    const versions = await deps.resources.liveBatch(after, batch);
    const replacements = [];
    for (const v of versions) {
      const tokens = deps.sealed.tokensFor(await deps.sealed.openParsed(v));
      replacements.push({ resourceType: v.resourceType, id: v.id, version: v.version, tokens });
    }
    // One transaction per batch: a rebuild of many records is bound by commits otherwise.
    records += await deps.resources.replaceTokens(replacements);
    const last = versions.at(-1);
    if (last === undefined || versions.length < batch) break;
    after = { resourceType: last.resourceType, id: last.id };
  }
  await deps.resources.recordSearchIndexVersion(version, deps.clock().toISOString());
  return { rebuilt: true, records, version };
}
