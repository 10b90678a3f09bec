/** Why a certificate/key pair was refused. Stable: callers and tests match on these, not on messages. */
export type TlsConfigErrorCode =
  | 'TLS_CERT_UNREADABLE'
  | 'TLS_KEY_UNREADABLE'
  | 'TLS_CERT_INVALID'
  | 'TLS_KEY_INVALID'
  | 'TLS_KEY_MISMATCH';

/**
 * The operator's TLS material cannot be served. The message is one line meant for the operator
 * (it names the file, never the key bytes); the stack adds nothing for them.
 */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';

  constructor(
    readonly code: TlsConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
