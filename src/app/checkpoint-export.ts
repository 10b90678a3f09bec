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
