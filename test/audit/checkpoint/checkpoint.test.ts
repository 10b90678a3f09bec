import { describe, expect, it } from 'vitest';

import {
  CheckpointOriginMismatchError,
  createEd25519Signer,
  createEd25519Verifier,
  ed25519KeyFromSeed,
  formatCheckpoint,
  MalformedCheckpointError,
  NoteVerificationError,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  signNote,
  verifierKeyString,
} from '../../../src/audit/checkpoint/index.js';
import { leafHash, MerkleFrontier, rootFromLeafHashes } from '../../../src/audit/merkle/index.js';
import {
  C2SP_CHECKPOINT_EXAMPLE,
  INVALID_CHECKPOINT_BODIES,
  SUMDB_CHECKPOINT,
} from '../../fixtures/signed-note/vectors.js';

const textOf = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1);
const root = Buffer.alloc(32, 0xab);

describe('a real checkpoint: sum.golang.org (transparency-dev/formats log/note_test.go)', () => {
  const sumdb = createEd25519Verifier(SUMDB_CHECKPOINT.vkey);

  it('opens with the sum.golang.org key and parses', () => {
    const { checkpoint, verifiedBy } = openCheckpoint(SUMDB_CHECKPOINT.note, {
      origin: SUMDB_CHECKPOINT.origin,
      verifiers: [sumdb],
    });
    expect(verifiedBy).toEqual(['sum.golang.org']);
    expect(checkpoint).toEqual({
      origin: 'go.sum database tree',
      size: 6476701,
      rootHash: Buffer.from(SUMDB_CHECKPOINT.rootHash, 'base64'),
      extensions: [],
    });
    expect(formatCheckpoint(checkpoint)).toBe(textOf(SUMDB_CHECKPOINT.note));
  });

  it('refuses it when another log is expected', () => {
    const attempt = () =>
      openCheckpoint(SUMDB_CHECKPOINT.note, { origin: 'Go rocks', verifiers: [sumdb] });
    expect(attempt).toThrow(CheckpointOriginMismatchError);
  });

  it('verifies the witness co-signatures and ignores unknown signers', () => {
    const note =
      SUMDB_CHECKPOINT.note + SUMDB_CHECKPOINT.cosigners.sigs.map((s) => `${s}\n`).join('');
    const witnesses = SUMDB_CHECKPOINT.cosigners.vkeys.map((vkey) => createEd25519Verifier(vkey));
    expect(openNote(note, [sumdb, ...witnesses]).verifiedBy).toEqual([
      'sum.golang.org',
      'monkeys',
      'bananas',
      'witness',
    ]);
    expect(openNote(note, [witnesses[2]!]).verifiedBy).toEqual(['witness']);
  });

  it('fails once the tree size or root hash is changed', () => {
    const grown = SUMDB_CHECKPOINT.note.replace('\n6476701\n', '\n6476702\n');
    expect(() => openNote(grown, [sumdb])).toThrow(NoteVerificationError);
    const rerooted = SUMDB_CHECKPOINT.note.replace('mb8Q', 'mb8R');
    expect(() => openNote(rerooted, [sumdb])).toThrow(NoteVerificationError);
  });
});

describe('parseCheckpoint', () => {
  it('parses the C2SP tlog-checkpoint example', () => {
    expect(parseCheckpoint(textOf(C2SP_CHECKPOINT_EXAMPLE.note))).toEqual({
      origin: C2SP_CHECKPOINT_EXAMPLE.origin,
      size: C2SP_CHECKPOINT_EXAMPLE.size,
      rootHash: Buffer.from(C2SP_CHECKPOINT_EXAMPLE.rootHash, 'base64'),
      extensions: [],
    });
  });

  it('keeps extension lines', () => {
    const text = `log\n0\n${root.toString('base64')}\nfirst ext\nsecond\n`;
    expect(parseCheckpoint(text).extensions).toEqual(['first ext', 'second']);
  });

  it.each(Object.entries(INVALID_CHECKPOINT_BODIES))('refuses a body with %s', (_label, text) => {
    expect(() => parseCheckpoint(text)).toThrow(MalformedCheckpointError);
  });

  const hash = root.toString('base64');
  it.each([
    ['a leading zero', `log\n012\n${hash}\n`],
    ['a zero written twice', `log\n00\n${hash}\n`],
    ['a plus sign', `log\n+12\n${hash}\n`],
    ['a space', `log\n 12\n${hash}\n`],
    ['an exponent', `log\n1e3\n${hash}\n`],
    ['hex', `log\n0x10\n${hash}\n`],
    ['a fraction', `log\n1.0\n${hash}\n`],
    ['a size past 2^53 - 1', `log\n9007199254740992\n${hash}\n`],
    ['unpadded base64', `log\n1\n${hash.replace('=', '')}\n`],
    ['base64url characters', `log\n1\n${Buffer.alloc(32, 0xfb).toString('base64url')}=\n`],
    ['a 31-byte root hash', `log\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['a 33-byte root hash', `log\n1\n${Buffer.alloc(33).toString('base64')}\n`],
    ['an empty extension line', `log\n1\n${hash}\n\next\n`],
    ['a carriage return', `log\r\n1\n${hash}\n`],
    ['a signature block', `log\n1\n${hash}\n\n— log AAAA\n`],
  ])('refuses %s', (_label, text) => {
    expect(() => parseCheckpoint(text)).toThrow(MalformedCheckpointError);
  });

  it('accepts the largest safe tree size and the empty tree', () => {
    expect(parseCheckpoint(`log\n9007199254740991\n${hash}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCheckpoint(`log\n0\n${hash}\n`).size).toBe(0);
  });
});

describe('formatCheckpoint', () => {
  it('writes origin, decimal size and base64 root hash, one per line', () => {
    expect(formatCheckpoint({ origin: 'example.com/log42', size: 10, rootHash: root })).toBe(
      `example.com/log42\n10\n${root.toString('base64')}\n`,
    );
    const withExt = formatCheckpoint({ origin: 'o', size: 0, rootHash: root, extensions: ['x y'] });
    expect(withExt.endsWith('\nx y\n')).toBe(true);
  });

  it.each([
    ['an empty origin', { origin: '', size: 1, rootHash: root }],
    ['a multi-line origin', { origin: 'a\nb', size: 1, rootHash: root }],
    ['a negative size', { origin: 'o', size: -1, rootHash: root }],
    ['a fractional size', { origin: 'o', size: 1.5, rootHash: root }],
    ['an unsafe size', { origin: 'o', size: 2 ** 53, rootHash: root }],
    ['a short root hash', { origin: 'o', size: 1, rootHash: Buffer.alloc(16) }],
    ['an empty extension', { origin: 'o', size: 1, rootHash: root, extensions: [''] }],
    ['a multi-line extension', { origin: 'o', size: 1, rootHash: root, extensions: ['a\nb'] }],
  ])('refuses %s', (_label, fields) => {
    expect(() => formatCheckpoint(fields)).toThrow(MalformedCheckpointError);
  });

  it('round-trips through parseCheckpoint', () => {
    const fields = { origin: 'haven/audit', size: 123456789, rootHash: root, extensions: ['ext'] };
    expect(parseCheckpoint(formatCheckpoint(fields))).toEqual(fields);
  });
});

describe('a Haven audit checkpoint, end to end', () => {
  const origin = 'haven.example.org/audit';
  const { privateKey, publicKey } = ed25519KeyFromSeed(Buffer.alloc(32, 0x17));
  const signer = createEd25519Signer(origin, privateKey);
  const verifier = createEd25519Verifier(verifierKeyString(origin, publicKey));

  it('signs the frontier root and a verifier recovers exactly that tree head', () => {
    const leaves = ['login', 'read Patient/1', 'logout'].map((event) =>
      leafHash(Buffer.from(event)),
    );
    const frontier = MerkleFrontier.empty();
    for (const leaf of leaves) frontier.append(leaf);
    const note = signNote(
      formatCheckpoint({ origin, size: frontier.size, rootHash: frontier.root() }),
      [signer],
    );

    const { checkpoint, verifiedBy } = openCheckpoint(note, { origin, verifiers: [verifier] });
    expect(verifiedBy).toEqual([origin]);
    expect(checkpoint.size).toBe(3);
    expect(checkpoint.rootHash.equals(rootFromLeafHashes(leaves))).toBe(true);
    // Ed25519 is deterministic: the same tree head always yields the same note.
    expect(signNote(formatCheckpoint(checkpoint), [signer])).toBe(note);
  });

  it('refuses a checkpoint signed only by an untrusted key', () => {
    const stranger = createEd25519Signer(
      origin,
      ed25519KeyFromSeed(Buffer.alloc(32, 1)).privateKey,
    );
    const note = signNote(formatCheckpoint({ origin, size: 1, rootHash: root }), [stranger]);
    expect(() => openCheckpoint(note, { origin, verifiers: [verifier] })).toThrow(
      NoteVerificationError,
    );
  });

  it('refuses a validly signed note whose text is not a checkpoint', () => {
    const note = signNote('just some text\n', [signer]);
    expect(() => openCheckpoint(note, { origin, verifiers: [verifier] })).toThrow(
      MalformedCheckpointError,
    );
  });
});
