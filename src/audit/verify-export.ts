import { isDeepStrictEqual } from 'node:util';
import { createEd25519Verifier, openNote, parseCheckpoint } from './checkpoint/index.js';
import { toAuditEvent } from './audit-event.js';
import { decodeLeaf, encodeLeaf, type AuditEntry } from './entry.js';
import { EXPORT_FORMAT, LEAF_EXTENSION } from './export.js';
import { leafHash, MerkleFrontier } from './merkle/index.js';

export interface ExportReport {
  ok: boolean;
  entries: number;
  checkpoints: number;
  problem?: string;
}

interface ParsedExport {
  header: { format: string; origin: string; fromSeq: number; toSeq: number; frontier: string };
  leaves: { seq: number; leaf: Buffer }[];
  notes: string[];
}

/**
 * Standalone check of an audit export with nothing but the published verifier key: every leaf
 * is recomputed, chained onto the exported frontier, and each signed checkpoint's root must
 * match. A FHIR export's AuditEvents must also be exactly what their leaves say.
 */
export function verifyExport(text: string, verifierKey: string): ExportReport {
  let parsed: ParsedExport;
  try {
    parsed = text.trimStart().startsWith('{"resourceType"') ? parseFhir(text) : parseJsonl(text);
  } catch (e) {
    return {
      ok: false,
      entries: 0,
      checkpoints: 0,
      problem: e instanceof Error ? e.message : 'unreadable export',
    };
  }
  const verifier = createEd25519Verifier(verifierKey);
  const roots = new Map<number, Buffer>();
  for (const note of parsed.notes) {
    try {
      const cp = parseCheckpoint(openNote(note, [verifier]).text);
      if (cp.origin !== parsed.header.origin)
        return bad(parsed, `a checkpoint belongs to another log (${cp.origin})`);
      roots.set(cp.size, cp.rootHash);
    } catch {
      return bad(parsed, 'a checkpoint does not verify with the given key');
    }
  }
  if (!roots.has(parsed.header.toSeq) && parsed.header.toSeq > parsed.header.fromSeq)
    return bad(parsed, 'no signed checkpoint covers the end of the export');
  const frontier = MerkleFrontier.deserialize(Buffer.from(parsed.header.frontier, 'base64'));
  if (frontier.size !== parsed.header.fromSeq)
    return bad(parsed, 'the export header frontier does not match its first sequence number');
  let checked = 0;
  for (const { seq, leaf } of parsed.leaves) {
    if (seq !== frontier.size)
      return bad(parsed, `entry ${frontier.size} is missing or out of order (found ${seq})`);
    frontier.append(leafHash(leaf));
    const root = roots.get(frontier.size);
    if (root) {
      if (!root.equals(frontier.root()))
        return bad(
          parsed,
          `entries before ${frontier.size} do not match the signed checkpoint at that size`,
        );
      checked++;
    }
  }
  if (frontier.size !== parsed.header.toSeq)
    return bad(parsed, `the export ends at ${frontier.size}, not at ${parsed.header.toSeq}`);
  return { ok: true, entries: parsed.leaves.length, checkpoints: checked };
}

function bad(p: ParsedExport, problem: string): ExportReport {
  return { ok: false, entries: p.leaves.length, checkpoints: 0, problem };
}

function parseJsonl(text: string): ParsedExport {
  const lines = text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
  const header = lines[0] as unknown as ParsedExport['header'] & { type: string };
  if (header?.type !== 'header' || header.format !== EXPORT_FORMAT)
    throw new Error('not a Haven audit export');
  return {
    header,
    leaves: lines
      .filter((l) => l.type === 'entry')
      .map((l) => {
        const entry = l.entry as AuditEntry;
        return { seq: entry.seq, leaf: encodeLeaf(entry) };
      }),
    notes: lines.filter((l) => l.type === 'checkpoint').map((l) => String(l.note)),
  };
}

function parseFhir(text: string): ParsedExport {
  const bundle = JSON.parse(text) as { entry: { resource: Record<string, unknown> }[] };
  const params = (bundle.entry[0]?.resource.parameter ?? []) as {
    name: string;
    valueString?: string;
    valueInteger?: number;
  }[];
  const get = (n: string) => params.find((p) => p.name === n);
  const header = {
    format: get('format')?.valueString ?? '',
    origin: get('origin')?.valueString ?? '',
    fromSeq: get('fromSeq')?.valueInteger ?? -1,
    toSeq: get('toSeq')?.valueInteger ?? -1,
    frontier: get('frontier')?.valueString ?? '',
  };
  if (header.format !== EXPORT_FORMAT) throw new Error('not a Haven audit export');
  const leaves = bundle.entry.slice(1).map(({ resource }) => {
    const { extension, ...event } = resource as {
      extension?: { url: string; valueBase64Binary: string }[];
    };
    const leaf = Buffer.from(
      extension?.find((x) => x.url === LEAF_EXTENSION)?.valueBase64Binary ?? '',
      'base64',
    );
    const entry = decodeLeaf(leaf);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(toAuditEvent(entry))), event))
      throw new Error(`AuditEvent ${entry.seq} differs from its signed leaf`);
    return { seq: entry.seq, leaf };
  });
  return {
    header,
    leaves,
    notes: params.filter((p) => p.name === 'checkpoint').map((p) => p.valueString ?? ''),
  };
}
