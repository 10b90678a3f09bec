/** Checks run before a form is sent; the server checks again and has the last word. */
export const MIN_STAFF_PASSWORD = 12;

export function emailError(v: string): string | null {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : 'Enter your email address';
}

export function newPasswordError(v: string): string | null {
  if ([...v].length < 8) return 'Use at least 8 characters (12 for staff accounts)';
  if ([...v].length > 256) return 'Use at most 256 characters';
  return null;
}

export function codeError(v: string): string | null {
  return /^\d{6}$/.test(v.trim()) ? null : 'Enter the 6-digit code from your authenticator app';
}

export function recoveryCodeError(v: string): string | null {
  return v.trim().length >= 8 && v.trim().length <= 64 ? null : 'Enter one of your recovery codes';
}
