import { openWithKey, sealWithKey } from '../crypto/index.js';
import { FhirError } from './errors.js';

/**
 * Paging links must not carry search values (they are PHI and links end up in logs and
 * browser history), so the next/previous pages are an opaque cursor: the search, sealed under
 * a server key, bound to the principal that ran it, with an expiry.
 */
export interface CursorState {
  resourceType: string;
  query: Array<[string, string]>;
  offset: number;
}

const TTL_MS = 30 * 60 * 1000;

export function sealCursor(
  key: Buffer,
  principalId: string,
  state: CursorState,
  now: Date,
): string {
  const payload = Buffer.from(JSON.stringify({ ...state, exp: now.getTime() + TTL_MS }), 'utf8');
  return sealWithKey(key, payload, aad(principalId)).toString('base64url');
}

export function openCursor(
  key: Buffer,
  principalId: string,
  cursor: string,
  now: Date,
): CursorState {
  let state: CursorState & { exp: number };
  try {
    const plain = openWithKey(key, Buffer.from(cursor, 'base64url'), aad(principalId));
    state = JSON.parse(plain.toString('utf8')) as CursorState & { exp: number };
  } catch {
    throw new FhirError(
      400,
      'invalid',
      'the paging cursor is invalid or belongs to another client',
    );
  }
  if (state.exp < now.getTime())
    throw new FhirError(400, 'invalid', 'the paging cursor has expired; run the search again');
  return { resourceType: state.resourceType, query: state.query, offset: state.offset };
}

function aad(principalId: string): Buffer {
  return Buffer.from(`haven-cursor/1|${principalId}`, 'utf8');
}
