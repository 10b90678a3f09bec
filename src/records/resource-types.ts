import { searchableResourceTypes } from './search/index.js';

/**
 * Resource types Haven stores: the clinical first release plus the other types Synthea bundles
 * carry, so a patient's whole bundle can be taken in and given back. Binary holds attachments.
 */
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set([...searchableResourceTypes, 'Binary']);

export function isSupportedType(t: string): boolean {
  return SUPPORTED_TYPES.has(t);
}
