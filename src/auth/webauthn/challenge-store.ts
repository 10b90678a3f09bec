export type Clock = () => Date;

/** What a challenge was issued for; checked again when the response comes back. */
export interface PendingChallenge {
  /** base64url, as it appears in clientDataJSON. */
  challenge: string;
  ceremony: 'registration' | 'authentication';
  /** The user it was issued to; null for a passwordless (discoverable credential) sign-in. */
  userId: string | null;
}

/**
 * Where issued challenges wait for their response. `take` is single use: it removes the entry
 * whether or not the response then verifies, so one challenge can never be answered twice.
 * Implementations must be shared by every instance that can receive the response.
 */
export interface ChallengeStore {
  put(key: string, pending: PendingChallenge, ttlMs: number): Promise<void>;
  take(key: string): Promise<PendingChallenge | undefined>;
}

/** Five minutes: the WebAuthn ceremony timeout we ask browsers for is one minute, plus slack. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Bounds memory when unauthenticated clients ask for passwordless challenges in bulk. */
export const DEFAULT_MAX_PENDING = 10_000;

/**
 * An in-process challenge store for a single instance. Expired entries are swept on writes;
 * past `maxPending` the oldest entry is dropped (that ceremony must simply start again).
 */
export class MemoryChallengeStore implements ChallengeStore {
  private readonly entries = new Map<string, { pending: PendingChallenge; expiresAt: number }>();
  private readonly clock: Clock;
  private readonly maxPending: number;

  constructor(o: { clock?: Clock; maxPending?: number } = {}) {
    this.clock = o.clock ?? (() => new Date());
    this.maxPending = o.maxPending ?? DEFAULT_MAX_PENDING;
  }

  async put(key: string, pending: PendingChallenge, ttlMs: number): Promise<void> {
    const now = this.clock().getTime();
    this.sweep(now);
    // Re-inserting moves the key to the end, so eviction order stays oldest-first.
    this.entries.delete(key);
    this.entries.set(key, { pending, expiresAt: now + ttlMs });
    while (this.entries.size > this.maxPending) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  async take(key: string): Promise<PendingChallenge | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    return entry.expiresAt > this.clock().getTime() ? entry.pending : undefined;
  }

  /** Number of challenges held (expired ones included until the next write). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops expired entries from the front. Entries are in insertion order, which is expiry order
   * while every caller uses the same TTL, so this stops at the first live one (O(expired), not
   * O(size)); `take` checks expiry itself, so a straggler is never honoured.
   */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(key);
    }
  }
}
