import type { AuditRepository } from '../store/index.js';
import { toAuditEvent } from './audit-event.js';
import { encodeLeaf } from './entry.js';
import { MerkleFrontier } from './merkle/index.js';
import { fromRow } from './rows.js';

export const EXPORT_FORMAT = 'haven-audit-export/1';
export const LEAF_EXTENSION = 'https://haven.local/fhir/StructureDefinition/audit-leaf';

export interface ExportOptions {
  sinceSeq: number;
  origin: string;
  verifierKey: string;
  format: 'jsonl' | 'fhir';
  /**
   * Receives the export in order, a page of entries per call. When it returns a promise, the
   * next page is read only once it settles: a file or stream sink applies backpressure, and no
   * more than one page is held in memory however long the trail.
   */
  write: (chunk: string) => unknown;
  now: Date;
  /** Entries read from the repository and written per call (default 5000). */
  pageSize?: number;
  /** Entries written so far out of those the export covers, after each page. */
  onProgress?: (done: number, total: number) => void;
}

const PAGE_SIZE = 5000;

/**
 * Writes entries from sinceSeq up to the newest signed checkpoint, with the Merkle frontier at
 * sinceSeq and the checkpoints they are covered by: an auditor holding only the published
 * verifier key can recompute every leaf and check the signed roots (see verifyExport).
 */
export async function exportTrail(
  repo: AuditRepository,
  opts: ExportOptions,
): Promise<{ entries: number; checkpoints: number; leftOut: number }> {
  const archive = await repo.latestArchive();
  const base = archive?.upToSeq ?? 0;
  const fromSeq = Math.max(opts.sinceSeq, base);
  const checkpoints = (await repo.checkpoints()).filter((c) => c.size > fromSeq);
  const end = checkpoints.at(-1)?.size ?? fromSeq;
  const frontier = archive ? MerkleFrontier.deserialize(archive.frontier) : MerkleFrontier.empty();
  while (frontier.size < fromSeq) {
    const hashes = await repo.leafHashes(frontier.size, Math.min(10_000, fromSeq - frontier.size));
    if (hashes.length === 0) throw new Error('the trail has a gap; run audit verify');
    for (const h of hashes) frontier.append(h);
  }
  const header = {
    format: EXPORT_FORMAT,
    origin: opts.origin,
    verifierKey: opts.verifierKey,
    fromSeq,
    toSeq: end,
    frontier: frontier.serialize().toString('base64'),
    exportedAt: opts.now.toISOString(),
  };
  const fhir = opts.format === 'fhir';
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  await opts.write(
    fhir
      ? `{"resourceType":"Bundle","type":"collection","timestamp":"${header.exportedAt}","entry":[${JSON.stringify(
          {
            resource: headerParameters(
              header,
              checkpoints.map((c) => c.note),
            ),
          },
        )}`
      : `${JSON.stringify({ type: 'header', ...header })}\n`,
  );
  let written = 0;
  opts.onProgress?.(0, end - fromSeq);
  for (let seq = fromSeq; seq < end;) {
    const rows = await repo.entries(seq, Math.min(pageSize, end - seq));
    if (rows.length === 0) break;
    const page: string[] = [];
    for (const row of rows) {
      const entry = fromRow(row);
      if (fhir) {
        const event = {
          ...toAuditEvent(entry),
          extension: [
            { url: LEAF_EXTENSION, valueBase64Binary: encodeLeaf(entry).toString('base64') },
          ],
        };
        page.push(
          `,${JSON.stringify({ fullUrl: `urn:haven:audit:${entry.seq}`, resource: event })}`,
        );
      } else {
        page.push(`${JSON.stringify({ type: 'entry', entry })}\n`);
      }
    }
    await opts.write(page.join(''));
    written += rows.length;
    opts.onProgress?.(written, end - fromSeq);
    seq = rows.at(-1)!.seq + 1;
  }
  await opts.write(
    fhir
      ? ']}\n'
      : checkpoints
          .map((c) => `${JSON.stringify({ type: 'checkpoint', note: c.note })}\n`)
          .join(''),
  );
  // Entries newer than the newest checkpoint cannot be proven yet, so they are not exported;
  // the caller says how many.
  const leftOut = Math.max(0, (await repo.head()).size - Math.max(end, fromSeq));
  return { entries: written, checkpoints: checkpoints.length, leftOut };
}

function headerParameters(
  header: Record<string, unknown>,
  notes: string[],
): Record<string, unknown> {
  return {
    resourceType: 'Parameters',
    parameter: [
      ...Object.entries(header).map(([name, v]) =>
        typeof v === 'number' ? { name, valueInteger: v } : { name, valueString: String(v) },
      ),
      ...notes.map((note) => ({ name: 'checkpoint', valueString: note })),
    ],
  };
}
