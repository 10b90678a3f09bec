import { ROOT_HASH_SIZE, type CheckpointFields } from './checkpoint.js';
import { MalformedCheckpointError } from './errors.js';
import { isNoteSafe } from './syntax.js';

/**
 * The c2sp.org/tlog-checkpoint note text: origin, decimal tree size, base64 root hash, then any
 * extension lines, each ending in a newline. Refuses fields that parseCheckpoint would refuse.
 */
export function formatCheckpoint({
  origin,
  size,
  rootHash,
  extensions = [],
}: CheckpointFields): string {
  if (!isLine(origin)) {
    throw new MalformedCheckpointError(
      'the origin MUST be a non-empty line (c2sp.org/tlog-checkpoint)',
    );
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MalformedCheckpointError('the tree size must be a non-negative safe integer');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(`the root hash must be ${ROOT_HASH_SIZE} bytes`);
  }
  if (!extensions.every(isLine)) {
    throw new MalformedCheckpointError('extension lines, if any, MUST be non-empty lines');
  }
  const lines = [origin, String(size), Buffer.from(rootHash).toString('base64'), ...extensions];
  return lines.map((line) => `${line}\n`).join('');
}

function isLine(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && !value.includes('\n') && isNoteSafe(value);
}
