import { createApiClient } from '../../auth/index.js';
import { print, withPeople, CliFailure, type CommonFlags } from '../common.js';
import { recordOperatorEvent } from '../operator-audit.js';

/** `haven client …` (declared in ../tree/client.ts). */

export type AddClientFlags = CommonFlags & { name: string; scopes: string };

export async function clientAdd(flags: AddClientFlags): Promise<void> {
  const created = await withPeople(flags, async (haven) => {
    const c = await createApiClient(haven.clients, flags.name, flags.scopes);
    await recordOperatorEvent(haven, 'client-create', c.id);
    return c;
  });
  print(
    flags,
    { id: created.id, token: created.token },
    `Client ${created.id} created.\nToken (shown once; only its hash is stored):\n${created.token}`,
  );
}

export async function clientList(flags: CommonFlags): Promise<void> {
  const rows = await withPeople(flags, (haven) => haven.clients.list());
  print(
    flags,
    rows,
    rows.length === 0
      ? 'No clients.'
      : rows
          .map(
            (r) =>
              `${r.id}  ${r.revokedAt ? 'revoked' : 'active '}  ${r.name}  [${r.scopes}]${r.userId ? `  app token of user ${r.userId}` : ''}`,
          )
          .join('\n'),
  );
}

export async function clientRevoke(id: string, flags: CommonFlags): Promise<void> {
  const ok = await withPeople(flags, async (haven) => {
    const revoked = await haven.clients.revoke(id);
    if (revoked) await recordOperatorEvent(haven, 'client-revoke', id);
    return revoked;
  });
  if (!ok) throw new CliFailure(`no active client with id ${id}`);
  print(flags, { id, revoked: true }, `Client ${id} revoked.`);
}
