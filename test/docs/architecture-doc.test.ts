import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DOC,
  documentedImportsTable,
  renderImportsTable,
  tableCells,
} from '../../scripts/architecture-imports.js';

/**
 * docs/architecture.md is checked against the code, so it cannot drift again (issue 14 item 9):
 * the imports table is rendered from the source, and every folder, migration and decision
 * record that exists is named in it.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const doc = fs.readFileSync(DOC, 'utf8');
const names = (dir: string, ext: string) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length));

describe('docs/architecture.md', () => {
  it('holds the imports table as the source has it (npm run docs:architecture)', () => {
    const documented = documentedImportsTable(doc);
    expect(documented, 'imports table markers').toBeDefined();
    expect(tableCells(documented!)).toEqual(tableCells(renderImportsTable()));
  });

  it('describes every capability folder under src/ in its layout table', () => {
    const folders = fs
      .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const layout = doc.slice(0, doc.indexOf('<!-- imports:begin'));
    for (const folder of folders) expect(layout, folder).toContain(`| \`${folder}/\``);
  });

  it('names every migration and every decision record, and none that does not exist', () => {
    const migrations = names('src/store/migrations', '.ts');
    const decisions = names('docs/decisions', '.md');
    for (const m of migrations) expect(doc, m).toContain(m);
    for (const d of decisions) expect(doc, d).toContain(d);
    for (const [, ref] of doc.matchAll(/\b(\d{4}-[a-z0-9-]+)\.(?:md|ts)\b/g)) {
      expect([...migrations, ...decisions], `${ref} is named but missing`).toContain(ref);
    }
  });
});
