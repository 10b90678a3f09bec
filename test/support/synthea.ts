import fs from 'node:fs';
import path from 'node:path';
import { syntheaBundleNames, syntheaDir } from '../../scripts/synthea-dir.js';

/** The Synthea R4 bundles (synthetic people): HAVEN_SYNTHEA_DIR or ../shared/data/synthea-r4. */
export const SYNTHEA_DIR = syntheaDir();

export interface BundleEntry {
  fullUrl: string;
  resource: Record<string, unknown> & { resourceType: string; id: string };
  request: { method: string; url: string };
}

export function syntheaFiles(): string[] {
  return syntheaBundleNames().map((f) => path.join(SYNTHEA_DIR, f));
}

export function readBundle(file: string): {
  resourceType: 'Bundle';
  type: string;
  entry: BundleEntry[];
} {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as {
    resourceType: 'Bundle';
    type: string;
    entry: BundleEntry[];
  };
}
