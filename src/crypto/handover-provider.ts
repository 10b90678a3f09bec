import type { KeyProvider, KeyProviderStatus, WrappedKey } from './key-provider.js';
import type { LocalKeyringProvider } from './local-keyring-provider.js';
import type { Pkcs11Provider } from './pkcs11-provider.js';

/**
 * An HSM taking over from the local keyring: new wraps (and rotations) go to the token; keys
 * still wrapped under a local KEK unwrap through the keyring until `haven keys migrate-to-hsm`
 * has moved them all and retired the local KEKs. Each wrap names its KEK, and KEK ids are
 * `pkcs11-N` or `local-N`, so the owner of a wrap is never ambiguous.
 */
export class HandoverProvider implements KeyProvider {
  readonly kind = 'pkcs11+local-keyring';

  constructor(
    private readonly hsm: Pkcs11Provider,
    private readonly local: LocalKeyringProvider,
  ) {}

  currentKekId(): string {
    return this.hsm.currentKekId();
  }

  wrapKey(plainKey: Buffer, context: string): Promise<WrappedKey> {
    return this.hsm.wrapKey(plainKey, context);
  }

  unwrapKey(wrapped: WrappedKey, context: string): Promise<Buffer> {
    return this.#owner(wrapped.kekId).unwrapKey(wrapped, context);
  }

  status(): KeyProviderStatus {
    const parts = [this.hsm.status(), this.local.status()];
    return { ...parts[0]!, kind: this.kind, parts };
  }

  rotate(): Promise<string> {
    return this.hsm.rotate();
  }

  /** A local KEK is retired even if it was the keyring's current one: the token wraps now. */
  retire(kekId: string): Promise<void> {
    return kekId.startsWith('pkcs11-') ? this.hsm.retire(kekId) : this.local.retire(kekId, true);
  }

  async refresh(): Promise<void> {
    await Promise.all([this.hsm.refresh(), this.local.refresh()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.hsm.close(), this.local.close()]);
  }

  #owner(kekId: string): KeyProvider {
    return kekId.startsWith('pkcs11-') ? this.hsm : this.local;
  }
}
