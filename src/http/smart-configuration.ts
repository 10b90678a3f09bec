/**
 * `/.well-known/smart-configuration` (SMART App Launch 2.0 §conformance): what an app needs to
 * find Haven's endpoints, and only capabilities the tests prove (ADR 0035).
 */
export function smartConfiguration(origin: string) {
  return {
    issuer: origin,
    jwks_uri: `${origin}/oauth2/jwks`,
    authorization_endpoint: `${origin}/oauth2/authorize`,
    token_endpoint: `${origin}/oauth2/token`,
    introspection_endpoint: `${origin}/oauth2/introspect`,
    revocation_endpoint: `${origin}/oauth2/revoke`,
    grant_types_supported: ['authorization_code', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [
      'openid',
      'fhirUser',
      'launch',
      'launch/patient',
      'offline_access',
      'online_access',
      // The shapes granted: v2 letters (v1 .read/.write accepted), any type or '*'.
      'patient/*.cruds',
      'patient/*.rs',
      'user/*.cruds',
      'user/*.rs',
    ],
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'context-ehr-patient',
      'context-standalone-patient',
      'sso-openid-connect',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}
