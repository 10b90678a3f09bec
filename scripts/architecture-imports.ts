/**
 * Which capability folder imports which, read from the source: the layer diagram and the table
 * in docs/architecture.md between the `imports:begin` and `imports:end` markers are rendered
 * from this, and test/docs/architecture-doc.test.ts fails when the document and this differ.
 *   node --import tsx scripts/architecture-imports.ts          prints the table
 *   node --import tsx scripts/architecture-imports.ts --write  rewrites it in the document
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
export const DOC = path.join(ROOT, 'docs', 'architecture.md');
const BEGIN = '<!-- imports:begin (npm run docs:architecture) -->';
const END = '<!-- imports:end -->';

/** Folder → the other folders it imports, split by whether anything is used at run time. */
export interface FolderImports {
  runtime: Set<string>;
  typeOnly: Set<string>;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') || e.name.endsWith('.tsx') ? [p] : [];
  });
}

// `import … from '…'`, `export … from '…'` and `import('…')`, with what stands before `from`.
const STATEMENT =
  /(?:^|\n)\s*(import|export)\s+([^;]*?)\s+from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function isTypeOnly(keyword: string, clause: string): boolean {
  if (clause.startsWith('type ')) return true;
  if (keyword === 'export' && clause.startsWith('type')) return true;
  const braces = /^\{([^}]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]!
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

export function folderImports(): Map<string, FolderImports> {
  const folders = fs
    .readdirSync(SRC, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const result = new Map<string, FolderImports>(
    folders.map((f) => [f, { runtime: new Set(), typeOnly: new Set() }]),
  );
  for (const folder of folders) {
    const entry = result.get(folder)!;
    for (const file of sourceFiles(path.join(SRC, folder))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(STATEMENT)) {
        const spec = m[3] ?? m[4]!;
        if (!spec.startsWith('.')) continue;
        const target = path
          .relative(SRC, path.resolve(path.dirname(file), spec))
          .split(path.sep)[0]!;
        if (target === folder || !result.has(target)) continue;
        const typeOnly = m[4] === undefined && isTypeOnly(m[1]!, m[2]!);
        (typeOnly ? entry.typeOnly : entry.runtime).add(target);
      }
    }
    for (const f of entry.runtime) entry.typeOnly.delete(f);
  }
  return result;
}

/** Each folder's layer: 0 with no run-time imports, else one above its highest import. */
export function layers(imports: Map<string, FolderImports>): Map<string, number> {
  const layer = new Map<string, number>();
  const visit = (folder: string, trail: string[]): number => {
    const known = layer.get(folder);
    if (known !== undefined) return known;
    if (trail.includes(folder)) throw new Error(`import cycle: ${[...trail, folder].join(' -> ')}`);
    const deps = [...(imports.get(folder)?.runtime ?? [])];
    const l =
      deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => visit(d, [...trail, folder])));
    layer.set(folder, l);
    return l;
  };
  for (const folder of imports.keys()) visit(folder, []);
  return layer;
}

/** The layer diagram: a folder stands above everything it imports at run time. */
function renderLayers(imports: Map<string, FolderImports>): string[] {
  const layerOf = layers(imports);
  const top = Math.max(...layerOf.values());
  const lines: string[] = [];
  for (let l = top; l >= 0; l--) {
    const folders = [...layerOf].filter(([, v]) => v === l).map(([f]) => f);
    lines.push(` layer ${l}   ${folders.join('   ')}`);
  }
  return ['```', ...lines, '```'];
}

export function renderImportsTable(imports = folderImports()): string {
  const list = (s: Set<string>) =>
    [...s]
      .sort()
      .map((f) => `\`${f}\``)
      .join(', ') || '—';
  const rows = [...imports].map(
    ([folder, i]) => `| \`${folder}/\` | ${list(i.runtime)} | ${list(i.typeOnly)} |`,
  );
  return [
    BEGIN,
    '',
    ...renderLayers(imports),
    '',
    '| folder | imports at run time | imports types only |',
    '| ------ | ------------------- | ------------------ |',
    ...rows,
    '',
    END,
  ].join('\n');
}

/**
 * The diagram's lines and the table's rows as trimmed cells, so Prettier's column padding does
 * not matter.
 */
export function tableCells(table: string): string[][] {
  return table
    .split('\n')
    .filter((l) => l.startsWith(' layer ') || (l.startsWith('|') && !/^\|[\s|:-]+\|$/.test(l)))
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
}

/** The table as the document holds it now (undefined when the markers are missing). */
export function documentedImportsTable(doc = fs.readFileSync(DOC, 'utf8')): string | undefined {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(start, end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = renderImportsTable();
  if (process.argv.includes('--write')) {
    const doc = fs.readFileSync(DOC, 'utf8');
    const current = documentedImportsTable(doc);
    if (current === undefined) throw new Error(`markers missing in ${DOC}`);
    const prettier = await import('prettier');
    const next = doc.replace(current, table);
    fs.writeFileSync(
      DOC,
      await prettier.format(next, { ...(await prettier.resolveConfig(DOC)), filepath: DOC }),
    );
  } else {
    process.stdout.write(`${table}\n`);
  }
}
