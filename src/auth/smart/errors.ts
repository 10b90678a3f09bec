/**
 * An OAuth 2.0 error (RFC 6749 §5.2, RFC 7009, RFC 7662), answered as `{ error,
 * error_description }`. Descriptions are fixed texts: nothing the client sent is repeated.
 */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'access_denied'
      | 'unsupported_response_type',
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
