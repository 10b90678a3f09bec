/** A disposal request waits this long for the second admin (ADR 0029). */
export const DISPOSAL_APPROVAL_TTL_MS = 24 * 3_600_000;
