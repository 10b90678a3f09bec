/**
 * How relation and grant rows hide who treats whom. The store keeps no practitioner, patient or
 * source id of a relation in plaintext: it looks rows up by blind-index keys and keeps the ids
 * it must give back sealed. The app wires this to the crypto module (index key, relation key),
 * so the store itself holds no key and imports no cipher.
 */
export interface RelationCipher {
  /** Deterministic lookup key (HMAC) of a reference: `Patient/<id>`, `Practitioner/<id>`, ''. */
  key(kind: 'patient' | 'practitioner' | 'source', ref: string): Buffer;
  /** Authenticated encryption of `plain`, bound to `aad` (the row it belongs to). */
  seal(plain: string, aad: Buffer): Buffer;
  /** Inverse of seal; throws on any tamper or a blob moved to another row. */
  open(sealed: Buffer, aad: Buffer): string;
}

/** The associated data of a relation row: its keys, so a sealed pair cannot change rows. */
export function relationAad(
  kind: string,
  sourceKey: Buffer,
  practitionerKey: Buffer,
  patientKey: Buffer,
): Buffer {
  return Buffer.concat([
    Buffer.from(`care-relation|${kind}|`, 'utf8'),
    sourceKey,
    practitionerKey,
    patientKey,
  ]);
}

/** The associated data of a grant's sealed patient: the grant id and the patient's key. */
export function grantAad(id: string, patientKey: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`break-glass|${id}|`, 'utf8'), patientKey]);
}
