/** A key wrapped (encrypted) under a key-encryption key; `kekId` names the KEK that wrapped it. */
export interface WrappedKey {
  kekId: string;
  blob: Buffer;
}

/** What a provider may say about itself. Never key material. */
export interface KeyProviderStatus {
  kind: string;
  currentKekId: string;
  kekIds: string[];
}

/**
 * Holder of key-encryption keys. Local keyring today; a cloud KMS or HSM tomorrow, behind the
 * same four operations, so nothing above this interface changes when the KEK leaves the host.
 */
export interface KeyProvider {
  readonly kind: string;
  /** The KEK new keys are wrapped with. */
  currentKekId(): string;
  /** Wraps `plainKey` under the current KEK; `context` is bound as associated data. */
  wrapKey(plainKey: Buffer, context: string): Promise<WrappedKey>;
  /** Reverses `wrapKey`; throws KeyUnavailableError on any failure, including a wrong context. */
  unwrapKey(wrapped: WrappedKey, context: string): Promise<Buffer>;
  status(): KeyProviderStatus;
}
