/**
 * `__Host-` makes the browser refuse the cookie unless it is Secure, has Path=/ and no Domain,
 * so no sibling subdomain can set or overwrite it. No Max-Age: the cookie ends with the browser,
 * and the server enforces idle and absolute limits whatever the cookie says.
 */
export const SESSION_COOKIE = '__Host-haven_session';

const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Strict';

export function sessionCookie(sessionId: string): string {
  return `${SESSION_COOKIE}=${sessionId}; ${ATTRIBUTES}`;
}

/**
 * The CSRF token for the web app's script to echo in the X-CSRF-Token header. Readable by script
 * on purpose (not HttpOnly); the server checks the header against the hash kept with the session,
 * not against this cookie, so a cookie planted by another origin proves nothing.
 */
export const CSRF_COOKIE = '__Host-haven_csrf';

export function csrfCookie(token: string): string {
  return `${CSRF_COOKIE}=${token}; Path=/; Secure; SameSite=Strict`;
}

/** Set-Cookie value that makes the browser drop the session cookie (logout). */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** Set-Cookie value that makes the browser drop the CSRF cookie (logout). */
export function clearedCsrfCookie(): string {
  return `${CSRF_COOKIE}=; Path=/; Secure; SameSite=Strict; Max-Age=0`;
}

/** The session id from a Cookie request header, if present. */
export function readSessionCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}
