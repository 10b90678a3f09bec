import { checkInteger, checkText, encodeFields } from './encode-fields.js';

/** The record a sealed value belongs to. Every field is bound into the ciphertext. */
export interface RecordBinding {
  resourceType: string;
  id: string;
  version: number;
  owner: string;
}

/** Data-key versions are stored as u32 in the sealed header; version 0 is never issued. */
export const MAX_DATA_KEY_VERSION = 0xffffffff;

function u32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value, 0);
  return out;
}

function u64(value: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32BE(Math.floor(value / 0x1_0000_0000), 0);
  out.writeUInt32BE(value >>> 0, 4);
  return out;
}

/** Throws TypeError unless the binding is well formed. */
export function checkBinding(binding: RecordBinding): void {
  checkText(binding.resourceType, 'binding.resourceType');
  checkText(binding.id, 'binding.id');
  checkInteger(binding.version, 'binding.version', 0, Number.MAX_SAFE_INTEGER);
  checkText(binding.owner, 'binding.owner');
}

/**
 * Associated data of a sealed record: the length-prefixed tuple
 * (format, resourceType, id, version, owner, dataKeyVersion). Changing any of them — moving a
 * ciphertext to another record, version or owner, or relabelling its key version — makes both
 * the commitment and the GCM tag fail.
 */
export function recordAad(format: number, binding: RecordBinding, dataKeyVersion: number): Buffer {
  checkBinding(binding);
  checkInteger(dataKeyVersion, 'data key version', 1, MAX_DATA_KEY_VERSION);
  return encodeFields([
    Buffer.of(format),
    binding.resourceType,
    binding.id,
    u64(binding.version),
    binding.owner,
    u32(dataKeyVersion),
  ]);
}
