import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 30 Synthea R4 bundles in ../shared (synthetic people; provenance in their README). */
export const SYNTHEA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/synthea-r4',
);

export interface BundleEntry {
  fullUrl: string;
  resource: Record<string, unknown> & { resourceType: string; id: string };
  request: { method: string; url: string };
}

export function syntheaFiles(): string[] {
  return fs
    .readdirSync(SYNTHEA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(SYNTHEA_DIR, f));
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
