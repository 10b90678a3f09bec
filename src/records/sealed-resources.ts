import type { BlindIndex, Vault } from '../crypto/index.js';
import type { StoredVersion } from '../store/index.js';
import { indexTerms } from './search/index.js';

/**
 * The only place a resource crosses between plaintext and sealed form. The record binding
 * (type, id, version, owner) is the AAD, so a sealed body only opens where it was written.
 */
export class SealedResources {
  constructor(
    private readonly vault: Vault,
    private readonly index: BlindIndex,
  ) {}

  seal(
    resourceType: string,
    id: string,
    version: number,
    owner: string,
    json: Buffer,
  ): Promise<Buffer> {
    return this.vault.encrypt({ resourceType, id, version, owner }, json);
  }

  /**
   * Sealed bytes that are part of a resource still being assembled (a visit recording's chunks,
   * ADR 0034): under the owner's data key, bound to their kind, id and sequence number.
   */
  sealPart(kind: string, id: string, seq: number, owner: string, bytes: Buffer): Promise<Buffer> {
    return this.vault.encrypt({ resourceType: kind, id, version: seq, owner }, bytes);
  }

  openPart(kind: string, id: string, seq: number, owner: string, sealed: Buffer): Promise<Buffer> {
    return this.vault.decrypt({ resourceType: kind, id, version: seq, owner }, sealed);
  }

  /** Drops an owner's cached record keys (a disposal): the next use must unwrap again. */
  forgetOwner(owner: string): void {
    this.vault.forget(owner);
  }

  /** Decrypted JSON bytes exactly as written (meta included), ready to send. */
  open(v: StoredVersion): Promise<Buffer> {
    return this.vault.decrypt(
      { resourceType: v.resourceType, id: v.id, version: v.version, owner: v.owner },
      v.body,
    );
  }

  async openParsed(v: StoredVersion): Promise<Record<string, unknown>> {
    return JSON.parse((await this.open(v)).toString('utf8')) as Record<string, unknown>;
  }

  tokensFor(resource: Record<string, unknown>): Buffer[] {
    return this.index.tokens(indexTerms(resource as Parameters<typeof indexTerms>[0]));
  }

  tokensForTerms(terms: string[]): Buffer[] {
    return this.index.tokens(terms);
  }
}

/** 'Patient/<id>' owners are patients; the audit trail records their id for disclosures. */
export function patientIdOfOwner(owner: string): string | undefined {
  return owner.startsWith('Patient/') ? owner.slice('Patient/'.length) : undefined;
}
