import type { Haven } from '../../app/index.js';

const BATCH = 200;

/**
 * Every live record, decrypted, in (type, id) order: the source of a de-identified export. Only
 * the export sees the plaintext, and the export is audited by the caller.
 */
export async function* storedRecords(
  h: Pick<Haven, 'records'>,
): AsyncGenerator<Record<string, unknown>> {
  let after: { resourceType: string; id: string } | undefined;
  for (;;) {
    const batch = await h.records.resources.liveBatch(after, BATCH);
    for (const v of batch) yield await h.records.sealed.openParsed(v);
    const last = batch.at(-1);
    if (last === undefined || batch.length < BATCH) return;
    after = { resourceType: last.resourceType, id: last.id };
  }
}
