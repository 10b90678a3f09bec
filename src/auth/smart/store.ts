/**
 * The slice of the store SMART App Launch needs (src/store/smart-repository.ts implements it).
 * Every secret (client secret, request handle, code, token, launch id) is kept as its SHA-256.
 */
export interface SmartClientRecord {
  id: string;
  name: string;
  secretHash: string | null;
  redirectUris: string[];
  scopes: string;
  launchUrl: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewSmartGrant {
  id: string;
  requestHash: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string;
  launchPatient: string | null;
  launchUser: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface SmartGrantRecord extends NewSmartGrant {
  userId: string | null;
  grantedScope: string | null;
  patientId: string | null;
  decidedAt: string | null;
  codeExpiresAt: string | null;
  codeUsedAt: string | null;
  revokedAt: string | null;
}

export interface GrantDecision {
  userId: string;
  grantedScope: string | null;
  patientId: string | null;
  decidedAt: string;
  codeHash: string | null;
  codeExpiresAt: string | null;
}

export type SmartTokenKind = 'access' | 'refresh';

export interface SmartTokenRecord {
  tokenHash: string;
  kind: SmartTokenKind;
  grantId: string;
  clientId: string;
  userId: string;
  scope: string;
  patientId: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

export interface SmartStore {
  insertClient(c: SmartClientRecord): Promise<void>;
  client(id: string): Promise<SmartClientRecord | undefined>;
  listClients(): Promise<SmartClientRecord[]>;
  /** Revokes the client and every token issued to it; false when no live client has that id. */
  revokeClient(id: string, at: string): Promise<boolean>;
  insertGrant(g: NewSmartGrant): Promise<void>;
  grantByRequest(requestHash: string): Promise<SmartGrantRecord | undefined>;
  /** Compare-and-set: records the decision on a still undecided grant; false otherwise. */
  decideGrant(id: string, d: GrantDecision): Promise<boolean>;
  /**
   * Marks the code used, in one conditional statement: of parallel redemptions exactly one gets
   * the grant. A code already used gives `{ replayed }` with the grant's id.
   */
  redeemCode(
    codeHash: string,
    at: string,
  ): Promise<{ grant: SmartGrantRecord } | { replayed: string } | undefined>;
  insertToken(t: SmartTokenRecord): Promise<void>;
  token(tokenHash: string): Promise<SmartTokenRecord | undefined>;
  /** Compare-and-set on a refresh token's `used_at`: true for the one caller that rotated it. */
  useRefresh(tokenHash: string, at: string): Promise<boolean>;
  revokeToken(tokenHash: string, at: string): Promise<boolean>;
  /** Revokes the grant and every token issued from it (a refresh token family). */
  revokeGrant(grantId: string, at: string): Promise<void>;
  revokeAllForUser(userId: string, at: string): Promise<void>;
  grantRevoked(grantId: string): Promise<boolean>;
  insertLaunch(l: {
    idHash: string;
    clientId: string;
    userId: string;
    patientId: string;
    expiresAt: string;
  }): Promise<void>;
  /** The launch context, once: it is deleted as it is read. */
  takeLaunch(
    idHash: string,
  ): Promise<
    { clientId: string; userId: string; patientId: string; expiresAt: string } | undefined
  >;
}
