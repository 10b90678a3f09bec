/** A key wrapped (encrypted) under a key-encryption key; `kekId` names the KEK that wrapped it. */
export interface WrappedKey {
  kekId: string;
  blob: Buffer;
}

/** What a provider may say about itself. Never key material, never a PIN. */
export interface KeyProviderStatus {
  kind: string;
  /** Empty when this provider no longer wraps anything (its KEKs all retired). */
  currentKekId: string;
  kekIds: string[];
  /** KEKs removed once nothing was wrapped under them. */
  retiredKekIds: string[];
  /** A provider made of others (an HSM plus the local keyring it replaces): each one. */
  parts?: KeyProviderStatus[];
}

/**
 * Holder of key-encryption keys. Local keyring or an HSM (PKCS#11), behind the same operations,
 * so nothing above this interface changes when the KEK leaves the host.
 *
 * Every implementation binds `encodeFields(['haven-key-wrap/1', kekId, context])` as the
 * associated data of a wrap, so a wrapped key relabelled with another KEK id or presented for
 * another context fails to unwrap, whichever provider holds the KEK.
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
  /** Adds a KEK version and makes it current for new wraps; older ones still unwrap. */
  rotate(): Promise<string>;
  /**
   * Removes a KEK that is not current. The caller must first have counted zero wraps under it:
   * whatever is still wrapped by it becomes unreadable.
   */
  retire(kekId: string): Promise<void>;
  /** Picks up a rotation or retirement another process made (the CLI beside a server). */
  refresh(): Promise<void>;
  /** Releases sessions or handles the provider holds. */
  close(): Promise<void>;
}
