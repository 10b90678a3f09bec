import { useEffect, useState } from 'react';

/**
 * A one-time token from the link's fragment (/enroll#<token>): the fragment never reaches the
 * server or its logs. It is taken into memory and removed from the address bar and history.
 */
export function useHashToken(): string | null {
  const [token] = useState(() => {
    const t = window.location.hash.slice(1);
    return /^[A-Za-z0-9_.~-]{16,1024}$/.test(t) ? t : null;
  });
  useEffect(() => {
    if (window.location.hash) history.replaceState(null, '', window.location.pathname);
  }, []);
  return token;
}
