import type { Kysely, Selectable } from 'kysely';
import type { HavenDatabase, SmartGrantTable, SmartTokenTable } from './schema.js';

/**
 * SMART App Launch records (migration 0013, ADR 0035). Secrets are stored as SHA-256 hex only.
 * Single use is one conditional UPDATE (`… WHERE code_used_at IS NULL`): on both engines exactly
 * one of parallel statements changes the row (SQLite serialises writers; PostgreSQL re-checks
 * the condition on the row the first one locked).
 */
export class SmartRepository {
  constructor(private readonly db: Kysely<HavenDatabase>) {}

  async insertClient(c: {
    id: string;
    name: string;
    secretHash: string | null;
    redirectUris: string[];
    scopes: string;
    launchUrl: string | null;
    createdAt: string;
    revokedAt: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('smart_clients')
      .values({
        id: c.id,
        name: c.name,
        secret_hash: c.secretHash,
        redirect_uris: JSON.stringify(c.redirectUris),
        scopes: c.scopes,
        launch_url: c.launchUrl,
        created_at: c.createdAt,
        revoked_at: c.revokedAt,
      })
      .execute();
  }

  async client(id: string) {
    const r = await this.db
      .selectFrom('smart_clients')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && clientRow(r);
  }

  async listClients() {
    const rows = await this.db
      .selectFrom('smart_clients')
      .selectAll()
      .orderBy('created_at')
      .execute();
    return rows.map(clientRow);
  }

  async revokeClient(id: string, at: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('smart_clients')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      await tx
        .updateTable('smart_tokens')
        .set({ revoked_at: at })
        .where('client_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return Number(r.numUpdatedRows) === 1;
    });
  }

  async insertGrant(g: {
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
  }): Promise<void> {
    await this.db
      .insertInto('smart_grants')
      .values({
        id: g.id,
        request_hash: g.requestHash,
        client_id: g.clientId,
        redirect_uri: g.redirectUri,
        scope: g.scope,
        state: g.state,
        nonce: g.nonce,
        code_challenge: g.codeChallenge,
        launch_patient: g.launchPatient,
        launch_user: g.launchUser,
        created_at: g.createdAt,
        expires_at: g.expiresAt,
        user_id: null,
        granted_scope: null,
        patient_id: null,
        decided_at: null,
        code_hash: null,
        code_expires_at: null,
        code_used_at: null,
        revoked_at: null,
      })
      .execute();
  }

  async grantByRequest(requestHash: string) {
    const r = await this.db
      .selectFrom('smart_grants')
      .selectAll()
      .where('request_hash', '=', requestHash)
      .executeTakeFirst();
    return r && grantRow(r);
  }

  async decideGrant(
    id: string,
    d: {
      userId: string;
      grantedScope: string | null;
      patientId: string | null;
      decidedAt: string;
      codeHash: string | null;
      codeExpiresAt: string | null;
    },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('smart_grants')
      .set({
        user_id: d.userId,
        granted_scope: d.grantedScope,
        patient_id: d.patientId,
        decided_at: d.decidedAt,
        code_hash: d.codeHash,
        code_expires_at: d.codeExpiresAt,
      })
      .where('id', '=', id)
      .where('decided_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async redeemCode(codeHash: string, at: string) {
    const r = await this.db
      .updateTable('smart_grants')
      .set({ code_used_at: at })
      .where('code_hash', '=', codeHash)
      .where('code_used_at', 'is', null)
      .executeTakeFirst();
    const row = await this.db
      .selectFrom('smart_grants')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return Number(r.numUpdatedRows) === 1 ? { grant: grantRow(row) } : { replayed: row.id };
  }

  async insertToken(t: {
    tokenHash: string;
    kind: 'access' | 'refresh';
    grantId: string;
    clientId: string;
    userId: string;
    scope: string;
    patientId: string | null;
    createdAt: string;
    expiresAt: string;
    usedAt: string | null;
    revokedAt: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('smart_tokens')
      .values({
        token_hash: t.tokenHash,
        kind: t.kind,
        grant_id: t.grantId,
        client_id: t.clientId,
        user_id: t.userId,
        scope: t.scope,
        patient_id: t.patientId,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async token(tokenHash: string) {
    const r = await this.db
      .selectFrom('smart_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && tokenRow(r);
  }

  async useRefresh(tokenHash: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('smart_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('kind', '=', 'refresh')
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeToken(tokenHash: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('smart_tokens')
      .set({ revoked_at: at })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeGrant(grantId: string, at: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('smart_grants')
        .set({ revoked_at: at })
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .execute();
      await tx
        .updateTable('smart_tokens')
        .set({ revoked_at: at })
        .where('grant_id', '=', grantId)
        .where('revoked_at', 'is', null)
        .execute();
    });
  }

  /** With a person's sessions (disable, MFA reset, new password): every app approval ends. */
  async revokeAllForUser(userId: string, at: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('smart_grants')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      await tx
        .updateTable('smart_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    });
  }

  async grantRevoked(grantId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('smart_grants')
      .select('revoked_at')
      .where('id', '=', grantId)
      .executeTakeFirst();
    return !r || r.revoked_at !== null;
  }

  async insertLaunch(l: {
    idHash: string;
    clientId: string;
    userId: string;
    patientId: string;
    expiresAt: string;
  }): Promise<void> {
    await this.db
      .insertInto('smart_launches')
      .values({
        id_hash: l.idHash,
        client_id: l.clientId,
        user_id: l.userId,
        patient_id: l.patientId,
        expires_at: l.expiresAt,
      })
      .execute();
  }

  async takeLaunch(idHash: string) {
    const r = await this.db
      .deleteFrom('smart_launches')
      .where('id_hash', '=', idHash)
      .returning(['client_id', 'user_id', 'patient_id', 'expires_at'])
      .executeTakeFirst();
    return (
      r && {
        clientId: r.client_id,
        userId: r.user_id,
        patientId: r.patient_id,
        expiresAt: r.expires_at,
      }
    );
  }
}

function clientRow(r: Selectable<HavenDatabase['smart_clients']>) {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    redirectUris: JSON.parse(r.redirect_uris) as string[],
    scopes: r.scopes,
    launchUrl: r.launch_url,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

function grantRow(r: Selectable<SmartGrantTable>) {
  return {
    id: r.id,
    requestHash: r.request_hash,
    clientId: r.client_id,
    redirectUri: r.redirect_uri,
    scope: r.scope,
    state: r.state,
    nonce: r.nonce,
    codeChallenge: r.code_challenge,
    launchPatient: r.launch_patient,
    launchUser: r.launch_user,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    userId: r.user_id,
    grantedScope: r.granted_scope,
    patientId: r.patient_id,
    decidedAt: r.decided_at,
    codeExpiresAt: r.code_expires_at,
    codeUsedAt: r.code_used_at,
    revokedAt: r.revoked_at,
  };
}

function tokenRow(r: Selectable<SmartTokenTable>) {
  return {
    tokenHash: r.token_hash,
    kind: r.kind as 'access' | 'refresh',
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    scope: r.scope,
    patientId: r.patient_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    revokedAt: r.revoked_at,
  };
}
