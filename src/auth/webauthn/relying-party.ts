import { WebauthnConfigError } from './errors.js';

/** Who the credentials are scoped to: the RP ID (a domain) and the one origin ceremonies run on. */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  origin: string;
}

/**
 * The relying party for Haven's public URL: its host is the RP ID and its origin the only
 * accepted one. Read once at start-up from configuration and passed in.
 */
export function relyingPartyFromPublicUrl(publicUrl: string, rpName = 'Haven'): RelyingParty {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new WebauthnConfigError('the public URL is not a valid URL');
  }
  return checkRelyingParty({ rpId: url.hostname, rpName, origin: url.origin });
}

/**
 * Refuses a configuration browsers would reject anyway, so the mistake shows at start-up rather
 * than as failed sign-ins: WebAuthn needs a secure context (https, or http on localhost), the RP ID
 * must be a domain (not an IP address) and equal to, or a registrable suffix of, the origin's host
 * (WebAuthn §5.1.4.1, §13.4.9 for localhost).
 */
export function checkRelyingParty(rp: RelyingParty): RelyingParty {
  let url: URL;
  try {
    url = new URL(rp.origin);
  } catch {
    throw new WebauthnConfigError('the WebAuthn origin is not a valid URL');
  }
  if (url.origin !== rp.origin) {
    throw new WebauthnConfigError('the WebAuthn origin must be scheme://host[:port] only');
  }
  const host = url.hostname;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && host === 'localhost')) {
    throw new WebauthnConfigError('WebAuthn needs an https origin (or http://localhost)');
  }
  const rpId = rp.rpId.toLowerCase();
  if (rpId.length === 0 || /^[\d.]+$/.test(rpId) || rpId.startsWith('[') || rpId.includes(':')) {
    throw new WebauthnConfigError('the WebAuthn RP ID must be a domain name, not an IP address');
  }
  if (host !== rpId && !host.endsWith(`.${rpId}`)) {
    throw new WebauthnConfigError('the WebAuthn RP ID must be the origin host or a suffix of it');
  }
  if (rp.rpName.trim().length === 0) {
    throw new WebauthnConfigError('the WebAuthn RP name must not be empty');
  }
  return { rpId, rpName: rp.rpName, origin: rp.origin };
}
