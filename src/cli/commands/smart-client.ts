import { registerSmartClient, SmartClientError } from '../../auth/index.js';
import { print, withPeople, CliFailure, type CommonFlags } from '../common.js';
import { recordOperatorEvent } from '../operator-audit.js';

/** `haven smart-client …` (declared in ../tree/smart-client.ts). */

export type AddSmartClientFlags = CommonFlags & {
  name: string;
  redirectUri: string[];
  scopes: string;
  confidential?: boolean;
  launchUrl?: string;
};

export async function smartClientAdd(flags: AddSmartClientFlags): Promise<void> {
  const made = await withPeople(flags, async (haven) => {
    try {
      const c = await registerSmartClient(
        haven.smart,
        {
          name: flags.name,
          redirectUris: flags.redirectUri,
          confidential: flags.confidential === true,
          scopes: flags.scopes,
          launchUrl: flags.launchUrl,
        },
        haven.clock(),
      );
      await recordOperatorEvent(haven, 'smart-client-create', c.clientId);
      return c;
    } catch (e) {
      if (e instanceof SmartClientError) throw new CliFailure(e.message);
      throw e;
    }
  });
  print(
    flags,
    made,
    `SMART app registered.\nclient_id: ${made.clientId}\nscopes: ${made.scopes}` +
      (made.clientSecret
        ? `\nclient_secret (shown once; only its hash is stored):\n${made.clientSecret}`
        : '\npublic client: no secret, PKCE (S256) proves the app'),
  );
}

export async function smartClientList(flags: CommonFlags): Promise<void> {
  const rows = await withPeople(flags, (haven) => haven.smart.listClients());
  const shown = rows.map((r) => ({
    clientId: r.id,
    name: r.name,
    confidential: r.secretHash !== null,
    redirectUris: r.redirectUris,
    scopes: r.scopes,
    revoked: r.revokedAt !== null,
  }));
  print(
    flags,
    shown,
    shown.length === 0
      ? 'No SMART apps.'
      : shown
          .map(
            (r) =>
              `${r.clientId}  ${r.revoked ? 'revoked' : 'active '}  ${r.confidential ? 'confidential' : 'public'}  ${r.name}  [${r.scopes}]  ${r.redirectUris.join(' ')}`,
          )
          .join('\n'),
  );
}

export async function smartClientRevoke(id: string, flags: CommonFlags): Promise<void> {
  const ok = await withPeople(flags, async (haven) => {
    const revoked = await haven.smart.revokeClient(id, haven.clock().toISOString());
    if (revoked) await recordOperatorEvent(haven, 'smart-client-revoke', id);
    return revoked;
  });
  if (!ok) throw new CliFailure(`no active SMART app with id ${id}`);
  print(flags, { clientId: id, revoked: true }, `SMART app ${id} revoked.`);
}
