import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs the repository's import rules, as `npm run lint` does, over a folder of small modules. */
async function violations(dir: string): Promise<Violation[]> {
  const { stdout } = await run(
    process.execPath,
    [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json'],
    { cwd: dir, maxBuffer: 16 << 20 },
  ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' })); // exit 1 on a violation
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-rules-'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  );
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the import rules (.dependency-cruiser.cjs)', () => {
  const dirs: string[] = [];
  let bad: string;
  let good: string;
  beforeAll(() => {
    bad = project({
      // A cycle of two modules in one folder, through a type-only import.
      'src/records/write.ts': "import { check } from './check.js';\nexport const write = check;\n",
      'src/records/check.ts':
        "import type { Prepared } from './write.js';\nexport const check = (p?: Prepared) => p;\nexport type Prepared = string;\n",
      // Another folder's internals instead of its index.ts.
      'src/audit/index.ts': "export { record } from './record.js';\n",
      'src/audit/record.ts': 'export const record = 1;\n',
      'src/access/decide.ts':
        "import { record } from '../audit/record.js';\nexport const d = record;\n",
      // The HTTP layer reaching the store, even through its index.
      'src/store/index.ts': 'export const db = 1;\n',
      'src/http/route.ts': "import { db } from '../store/index.js';\nexport const r = db;\n",
    });
    good = project({
      'src/records/write.ts': "import { check } from './check.js';\nexport const write = check;\n",
      'src/records/prepared.ts': 'export type Prepared = string;\n',
      'src/records/check.ts':
        "import type { Prepared } from './prepared.js';\nexport const check = (p?: Prepared) => p;\n",
      'src/audit/index.ts': "export { record } from './record.js';\n",
      'src/audit/record.ts': "import { db } from '../store/index.js';\nexport const record = db;\n",
      'src/access/decide.ts':
        "import { record } from '../audit/index.js';\nexport const d = record;\n",
      'src/store/index.ts': 'export const db = 1;\n',
      'src/http/route.ts':
        "import { record } from '../audit/index.js';\nexport const r = record;\n",
    });
    dirs.push(bad, good);
  });
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('reports a cycle, an import into internals and http reaching the store', async () => {
    const found = (await violations(bad)).map((v) => `${v.rule.name} ${v.from} -> ${v.to}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'no-circular src/records/check.ts -> src/records/write.ts',
        'through-index-only src/access/decide.ts -> src/audit/record.ts',
        'http-not-store src/http/route.ts -> src/store/index.ts',
      ]),
    );
  });

  it('accepts the same modules once the cycle is broken and imports go through index.ts', async () => {
    expect(await violations(good)).toEqual([]);
  });
});
