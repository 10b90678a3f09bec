import { describe, expect, it } from 'vitest';

import {
  createEd25519Signer,
  createEd25519Verifier,
  ed25519KeyFromSeed,
  MalformedNoteError,
  NoteVerificationError,
  openNote,
  signNote,
  verifierKeyString,
  type NoteSigner,
} from '../../../src/audit/checkpoint/index.js';
import {
  C2SP_NOTE_EXAMPLE,
  FORMATS_KEY_PAIRS,
  GO_NOTE,
} from '../../fixtures/signed-note/vectors.js';
import { signerFromGoKey } from './go-keys.js';

const { text, peterSig, enochSig } = GO_NOTE;
const peter = createEd25519Verifier(GO_NOTE.peter.vkey);
const enoch = createEd25519Verifier(GO_NOTE.enoch.vkey);

describe('signNote (golang/mod sumdb/note TestSign)', () => {
  it('reproduces the published signed note byte for byte', () => {
    expect(signNote(text, [signerFromGoKey(GO_NOTE.peter.skey)])).toBe(GO_NOTE.signed);
  });

  it('signs with several keys, one line each, in order', () => {
    const signers = FORMATS_KEY_PAIRS.slice(0, 3).map((pair) => signerFromGoKey(pair.skey));
    const note = signNote('origin\n1\n', signers);
    expect(note.split('\n— ').length).toBe(4);
    const verifiers = FORMATS_KEY_PAIRS.map((pair) => createEd25519Verifier(pair.vkey));
    expect(openNote(note, verifiers).verifiedBy).toEqual(['Log', 'Known', 'KnownAgain']);
  });

  it.each([
    ['text without a final newline', 'abc'],
    ['a control character', 'a\u0001b\n'],
    ['a carriage return', 'a\r\n'],
    ['a lone surrogate', 'a\ud800\n'],
  ])('refuses %s', (_label, badText) => {
    expect(() => signNote(badText, [signerFromGoKey(GO_NOTE.peter.skey)])).toThrow(
      MalformedNoteError,
    );
  });

  it('refuses to produce a note with no signature or with an invalid signer', () => {
    expect(() => signNote(text, [])).toThrow(MalformedNoteError);
    const badName: NoteSigner = { ...signerFromGoKey(GO_NOTE.peter.skey), name: 'bad name' };
    expect(() => signNote(text, [badName])).toThrow(MalformedNoteError);
  });
});

describe('openNote (golang/mod sumdb/note TestOpen)', () => {
  it('opens the published note with its verifier key', () => {
    expect(openNote(GO_NOTE.signed, [peter])).toEqual({ text, verifiedBy: ['PeterNeumann'] });
  });

  it('ignores signatures from unknown keys', () => {
    expect(openNote(`${text}\n${peterSig}${enochSig}`, [peter]).verifiedBy).toEqual([
      'PeterNeumann',
    ]);
    expect(openNote(`${text}\n${enochSig}${peterSig}`, [enoch]).verifiedBy).toEqual(['EnochRoot']);
  });

  it('reports every known key that signed', () => {
    expect(openNote(`${text}\n${peterSig}${enochSig}`, [peter, enoch]).verifiedBy).toEqual([
      'PeterNeumann',
      'EnochRoot',
    ]);
  });

  it('rejects a note no known key signed', () => {
    expect(() => openNote(`${text}\n${peterSig}${enochSig}`, [])).toThrow(NoteVerificationError);
    const other = createEd25519Verifier(FORMATS_KEY_PAIRS[0].vkey);
    expect(() => openNote(GO_NOTE.signed, [other])).toThrow(NoteVerificationError);
  });

  it('rejects the whole note when a known key’s signature is invalid', () => {
    const corrupt = `${text}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`;
    expect(() => openNote(corrupt, [peter])).toThrow(
      /invalid signature for known key PeterNeumann\+c74f20a3/,
    );
  });

  it('ignores repeated signatures and unknown corrupt ones', () => {
    const corruptEnoch = `${enochSig.slice(0, 60)}ABCD${enochSig.slice(60)}`;
    const note = `${text}\n${peterSig}${peterSig}${enochSig}${enochSig}${corruptEnoch}`;
    expect(openNote(note, [peter]).verifiedBy).toEqual(['PeterNeumann']);
  });

  it('refuses a trusted-key list with the same key twice only when that key signed', () => {
    expect(() => openNote(`${text}\n${enochSig}`, [enoch, peter, enoch])).toThrow(/ambiguous/);
    expect(openNote(`${text}\n${peterSig}`, [enoch, peter, enoch]).verifiedBy).toEqual([
      'PeterNeumann',
    ]);
  });

  it('refuses more than 100 signatures', () => {
    expect(() => openNote(`${text}\n${peterSig.repeat(101)}`, [peter])).toThrow(MalformedNoteError);
    expect(openNote(`${text}\n${peterSig.repeat(100)}`, [peter]).verifiedBy).toEqual([
      'PeterNeumann',
    ]);
  });

  it.each([
    ['no signature block', text],
    ['an empty signature block', `${text}\n`],
    ['a signature line without its newline', `${text}\n${peterSig.slice(0, -1)}`],
    ['a leading control character', `\u0001${text}\n${peterSig}`],
    [
      'a space inside the key name',
      `${text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
    ],
    ['a line after the signatures', `${text}\n${peterSig}Unexpected line.\n`],
    ['a hyphen instead of an em dash', `${text}\n-${peterSig.slice(1)}`],
    ['unpadded base64', `${text}\n${peterSig.replace('AM=\n', 'AM\n')}`],
    ['a signature shorter than 5 bytes', `${text}\n— PeterNeumann x08gow==\n`],
    ['a carriage return', `${text.replace('\n', '\r\n')}\n${peterSig}`],
  ])('rejects a malformed note: %s', (_label, note) => {
    expect(() => openNote(note, [peter])).toThrow(MalformedNoteError);
  });

  it('rejects bytes that are not UTF-8, and opens the same note given as bytes', () => {
    const bytes = Buffer.from(GO_NOTE.signed, 'utf8');
    expect(openNote(bytes, [peter]).text).toBe(text);
    expect(() => openNote(Buffer.concat([Buffer.of(0xff), bytes]), [peter])).toThrow(
      MalformedNoteError,
    );
  });

  it('splits at the last blank line, so the text may contain empty lines (C2SP example)', () => {
    // The example's key is not published: the note parses, then fails for want of a known key.
    expect(() => openNote(C2SP_NOTE_EXAMPLE.note, [peter])).toThrow(NoteVerificationError);
    const signer = signerFromGoKey(GO_NOTE.peter.skey);
    const poem = C2SP_NOTE_EXAMPLE.note.slice(0, C2SP_NOTE_EXAMPLE.note.lastIndexOf('\n\n') + 1);
    expect(openNote(signNote(poem, [signer]), [peter]).text).toBe(poem);
  });
});

describe('tampering with a signed note', () => {
  const { privateKey, publicKey } = ed25519KeyFromSeed(Buffer.alloc(32, 0x42));
  const signer = createEd25519Signer('haven.example/audit', privateKey);
  const other = ed25519KeyFromSeed(Buffer.alloc(32, 0x43));
  const otherSigner = createEd25519Signer('haven.example/audit', other.privateKey);
  const verifier = createEd25519Verifier(verifierKeyString('haven.example/audit', publicKey));
  const body = 'haven.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const note = signNote(body, [signer]);

  it('round-trips', () => {
    expect(openNote(note, [verifier])).toEqual({ text: body, verifiedBy: ['haven.example/audit'] });
  });

  it('fails when the text changes', () => {
    expect(() => openNote(note.replace('\n42\n', '\n43\n'), [verifier])).toThrow(
      NoteVerificationError,
    );
    expect(() => openNote(`extra\n${note}`, [verifier])).toThrow(NoteVerificationError);
  });

  it('fails when the signature comes from another key under the same name', () => {
    const forged = signNote(body, [otherSigner]);
    expect(() => openNote(forged, [verifier])).toThrow(NoteVerificationError);
  });

  it('fails when a valid signature is moved onto another text', () => {
    const signatureLine = note.slice(note.lastIndexOf('\n\n') + 2);
    const swapped = `haven.example/audit\n43\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n${signatureLine}`;
    expect(() => openNote(swapped, [verifier])).toThrow(NoteVerificationError);
  });

  it('fails when the key ID is altered (the signature is then from an unknown key)', () => {
    const line = note.slice(note.lastIndexOf('\n\n') + 2);
    const raw = Buffer.from(line.split(' ')[2]!.trim(), 'base64');
    raw[0]! ^= 1;
    const altered = `${body}\n— haven.example/audit ${raw.toString('base64')}\n`;
    expect(() => openNote(altered, [verifier])).toThrow(NoteVerificationError);
  });
});

// Found by mutation testing: the reason a note is refused, and a short but well-formed
// signature from an unknown key, which must be ignored rather than refused.
describe('openNote: reasons and edge cases', () => {
  it.each([
    [
      'no signature block',
      text,
      'a note is text, a blank line, then newline-terminated signatures',
    ],
    [
      'a signature line without its newline',
      `${text}\n${peterSig.slice(0, -1)}`,
      'a note is text, a blank line, then newline-terminated signatures',
    ],
    [
      'a control character',
      `\u0001${text}\n${peterSig}`,
      'signed notes MUST be valid UTF-8 with no control characters other than newline',
    ],
    [
      'a hyphen instead of an em dash',
      `${text}\n-${peterSig.slice(1)}`,
      'signature lines start with an em dash and a space',
    ],
    ['a signature line without a space', `${text}\n— PeterNeumann\n`, 'malformed signature line'],
    ['a 4-byte signature', `${text}\n— PeterNeumann x08gow==\n`, 'malformed signature line'],
  ])('says why it refuses %s', (_label, note, message) => {
    expect(() => openNote(note, [peter])).toThrow(new MalformedNoteError(message));
  });

  it('says why a note no known key signed is refused', () => {
    expect(() => openNote(GO_NOTE.signed, [enoch])).toThrow(
      new NoteVerificationError('no signature from a known key: the note MUST be rejected'),
    );
  });

  it('refuses bytes that are not UTF-8 even where they would decode to a signed U+FFFD', () => {
    const signed = Buffer.from(signNote('a\uFFFDb\n', [signerFromGoKey(GO_NOTE.peter.skey)]));
    expect(openNote(signed, [peter]).text).toBe('a\uFFFDb\n');
    const at = signed.indexOf(Buffer.from('\uFFFD'));
    const invalid = Buffer.concat([
      signed.subarray(0, at),
      Buffer.of(0xff),
      signed.subarray(at + 3),
    ]);
    expect(() => openNote(invalid, [peter])).toThrow(MalformedNoteError);
  });

  it('opens a note whose text is a single empty line', () => {
    const note = signNote('\n', [signerFromGoKey(GO_NOTE.peter.skey)]);
    expect(openNote(note, [peter]).text).toBe('\n');
  });

  it('ignores a 5-byte signature (the shortest well-formed one) from an unknown key', () => {
    const short = `— Stranger ${Buffer.alloc(5, 7).toString('base64')}\n`;
    expect(openNote(`${GO_NOTE.signed}${short}`, [peter]).verifiedBy).toEqual(['PeterNeumann']);
  });
});
