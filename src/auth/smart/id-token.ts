import crypto from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { IdTokenSigner } from './tokens.js';

/**
 * OpenID Connect id_tokens for `openid fhirUser`, signed with jose (ES256). The key pair is made
 * when the server starts and never leaves memory; its public half is served as the JWKS. An
 * id_token says who the person is, not what they may read: it is no credential at Haven's API
 * (ADR 0035, with what this means for several servers).
 */
export async function createIdTokenSigner(
  issuer: string,
  clock: () => Date,
): Promise<{ sign: IdTokenSigner; jwks: { keys: JWK[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = crypto.randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign: IdTokenSigner = async (claims) => {
    const now = Math.floor(clock().getTime() / 1000);
    return new SignJWT({
      ...(claims.nonce && { nonce: claims.nonce }),
      ...(claims.fhirUser && { fhirUser: claims.fhirUser }),
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(claims.sub)
      .setAudience(claims.aud)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  };
  return { sign, jwks: { keys: [jwk] } };
}
