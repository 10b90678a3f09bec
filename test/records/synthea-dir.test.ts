import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYNTHEA_DIR, syntheaBundleNames, syntheaDir } from '../../scripts/synthea-dir.js';

/** Issue 21 part 3: tests and the bench find the Synthea data from one setting, anywhere. */
describe('where the Synthea data is found', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-synthea-'));
  afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

  it('defaults to ../shared/data/synthea-r4 beside the repository, and HAVEN_SYNTHEA_DIR wins', () => {
    expect(DEFAULT_SYNTHEA_DIR).toBe(path.resolve(repo, '../shared/data/synthea-r4'));
    expect(syntheaDir({})).toBe(DEFAULT_SYNTHEA_DIR);
    expect(syntheaDir({ HAVEN_SYNTHEA_DIR: empty })).toBe(empty);
  });

  it('fails, saying where it looked and what to set, when the data is absent', () => {
    expect(() => syntheaBundleNames({ HAVEN_SYNTHEA_DIR: empty })).toThrow(
      `Synthea R4 bundles not found: expected *.json in ${empty} (from HAVEN_SYNTHEA_DIR)`,
    );
    expect(() => syntheaBundleNames({ HAVEN_SYNTHEA_DIR: path.join(empty, 'nope') })).toThrow(
      /set HAVEN_SYNTHEA_DIR/,
    );
  });

  it('no test or bench source names an absolute path to the data', () => {
    const offenders: string[] = [];
    for (const dir of ['test', 'bench', 'scripts']) {
      for (const f of fs.readdirSync(path.join(repo, dir), { recursive: true }) as string[]) {
        if (!String(f).endsWith('.ts')) continue;
        const text = fs.readFileSync(path.join(repo, dir, String(f)), 'utf8');
        if (/['"`]\/work\/|['"`]\/[^'"`]*shared\/data/.test(text)) offenders.push(`${dir}/${f}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
