/** How long each SMART secret lives (ADR 0035). Short where a leak would matter most. */
export const SMART_LIFETIMES = {
  /** From /authorize to the person's decision (sign-in and MFA included). */
  requestSeconds: 600,
  /** From the redirect to the app's token request (RFC 6749 §4.1.2: at most ten minutes). */
  codeSeconds: 60,
  accessSeconds: 600,
  refreshSeconds: 30 * 24 * 3600,
  launchSeconds: 300,
} as const;

export function plusSeconds(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
