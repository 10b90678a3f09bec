import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes each signed checkpoint as its own file, never overwritten ('wx'), so the directory can
 * sit on write-once storage: history checkpointed out of the database cannot be rewritten by
 * someone who controls only the database.
 */
export function exportCheckpoint(dir: string, note: string, size: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `checkpoint-${String(size).padStart(12, '0')}.note`);
  fs.writeFileSync(file, note, { flag: 'wx', mode: 0o600 });
}

/**
 * Sends each signed checkpoint to a witness outside the database (an operator's endpoint, a
 * transparency-log witness). Delivery is best effort and never blocks a request: the checkpoint
 * is already durable in the database and the export directory; failures are logged by code.
 */
export function postCheckpoint(url: string, note: string, onError: (code: string) => void): void {
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: note,
    signal: AbortSignal.timeout(5000),
  })
    .then((res) => {
      if (!res.ok) onError(`http-${res.status}`);
    })
    .catch((e: unknown) => onError((e as { name?: string }).name ?? 'network'));
}
