import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheaBundleNames, syntheaDir } from '../../../../scripts/synthea-dir.js';
import type { IndexableResource } from '../../../../src/records/search/index.js';

/**
 * Synthea R4 bundles from the shared data folder, read at test time (their PHI-like names never
 * appear in test sources). Bundle-internal `urn:uuid:` references are rewritten to `Type/id`, as
 * the server does when it stores a transaction, and each resource gets a deterministic
 * `meta.lastUpdated` so `_lastUpdated` has data.
 */
export const SYNTHEA_DIR = syntheaDir();

export function syntheaFiles(): string[] {
  return syntheaBundleNames();
}

const cache = new Map<string, IndexableResource[]>();

export function loadBundle(file: string): IndexableResource[] {
  const hit = cache.get(file);
  if (hit) return hit;
  const bundle = JSON.parse(readFileSync(join(SYNTHEA_DIR, file), 'utf8')) as {
    entry: Array<{ fullUrl: string; resource: IndexableResource }>;
  };
  const local = new Map<string, string>();
  for (const e of bundle.entry) local.set(e.fullUrl, `${e.resource.resourceType}/${e.resource.id}`);
  const resources = bundle.entry.map((e, i) => {
    rewriteReferences(e.resource, local);
    const base = Date.UTC(2024, 0, 1) + (cache.size * 1000 + i) * 7 * 3_600_000;
    e.resource.meta = { ...(e.resource.meta ?? {}), lastUpdated: new Date(base).toISOString() };
    return e.resource;
  });
  cache.set(file, resources);
  return resources;
}

function rewriteReferences(node: unknown, local: Map<string, string>): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteReferences(item, local);
  } else if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'reference' && typeof value === 'string' && local.has(value))
        obj[key] = local.get(value);
      else rewriteReferences(value, local);
    }
  }
}

export function loadAll(): IndexableResource[] {
  return syntheaFiles().flatMap(loadBundle);
}

export function ofType<T = Record<string, unknown>>(
  resources: IndexableResource[],
  type: string,
): Array<T & IndexableResource> {
  return resources.filter((r) => r.resourceType === type) as Array<T & IndexableResource>;
}

export interface SyntheaName {
  family?: string;
  given?: string[];
  prefix?: string[];
  text?: string;
}
export type SyntheaPatient = IndexableResource & {
  id: string;
  name: SyntheaName[];
  birthDate?: string;
};
