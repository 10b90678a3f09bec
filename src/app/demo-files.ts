import fs from 'node:fs';
import path from 'node:path';

/** How many Synthea bundles `haven demo` imports unless told otherwise. */
export const DEMO_BUNDLE_COUNT = 6;

export class DemoRefusedError extends Error {
  readonly code = 'demo-refused';
}

/** The bundle files the demo takes: the first `count` by name, so every run takes the same. */
export function demoBundleFiles(dir: string, count = DEMO_BUNDLE_COUNT): string[] {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (names.length === 0)
    throw new DemoRefusedError(`no Synthea bundles (*.json) in ${dir}; pass --synthea <dir>`);
  return names
    .sort()
    .slice(0, count)
    .map((n) => path.join(dir, n));
}
