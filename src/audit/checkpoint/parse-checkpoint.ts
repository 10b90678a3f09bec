import { ROOT_HASH_SIZE, type Checkpoint } from './checkpoint.js';
import { MalformedCheckpointError } from './errors.js';
import { decodeBase64Strict, isNoteSafe } from './syntax.js';

// "the ASCII decimal representation of the number of leaves in the tree, with no leading zeroes
// (unless the tree is empty, in which case the tree size is `0`)"
const TREE_SIZE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses c2sp.org/tlog-checkpoint note text strictly. Call it only on text returned by openNote:
 * the text of an unverified note MUST be ignored.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n') || !isNoteSafe(text)) {
    throw new MalformedCheckpointError('checkpoint text is newline-terminated lines of UTF-8');
  }
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((line) => line === '')) {
    throw new MalformedCheckpointError(
      'checkpoint text is at least three non-empty lines (c2sp.org/tlog-checkpoint)',
    );
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  const size = Number(sizeText);
  if (!TREE_SIZE.test(sizeText) || !Number.isSafeInteger(size)) {
    throw new MalformedCheckpointError(
      'the tree size MUST be decimal with no leading zeroes, and at most 2^53 - 1 here',
    );
  }
  const rootHash = decodeBase64Strict(rootText);
  if (rootHash === undefined || rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(`the root hash MUST be base64 of ${ROOT_HASH_SIZE} bytes`);
  }
  return { origin, size, rootHash, extensions };
}
