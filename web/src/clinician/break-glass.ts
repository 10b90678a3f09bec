import { get, post } from '../api';

/** An emergency grant as GET /api/break-glass answers it (src/access/break-glass.ts GrantView). */
export interface Grant {
  id: string;
  userId: string;
  patientId: string;
  createdAt: string;
  expiresAt: string;
  secondsLeft: number;
}

export const BREAK_GLASS_KEY = ['break-glass'] as const;

/** One's own active grants (a reviewer's list holds everyone's: the banner shows only one's own). */
export async function ownGrants(userId: string): Promise<Grant[]> {
  const { grants } = await get<{ grants: Grant[] }>('/api/break-glass');
  return grants.filter((g) => g.userId === userId);
}

/**
 * Breaks the glass: the server wants a fresh re-authentication for it, so the password is
 * confirmed first (POST /api/reauth), then the grant is requested with the stated reason.
 */
export async function breakGlass(patientId: string, reason: string, password: string) {
  await post('/api/reauth', { password });
  return post<{ grant: Grant }>('/api/break-glass', { patient: patientId, reason });
}

export const endGrant = (grantId: string) =>
  post<void>(`/api/break-glass/${encodeURIComponent(grantId)}/end`);

/** "2031-05-06 08:10 UTC": the server's end time, as the server states it. */
export function endTimeText(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
