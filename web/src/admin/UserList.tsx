import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { adminApi, APPROVALS_KEY, roleName, USERS_KEY, type AdminUser } from './admin-api';
import type { Guarded } from './reauth';
import { RoleChoice } from './RoleChoice';

type Action = 'disable' | 'reset-mfa' | 'unlock' | 'revoke' | 'resend-invitation';
const DONE: Record<Action, string> = {
  disable: 'The account was disabled; its sessions ended.',
  revoke: 'The invitation was revoked; its enrollment link no longer works.',
  'resend-invitation':
    'A new enrollment link was sent to the person (never shown here); the earlier one no longer works.',
  'reset-mfa': 'The second factors were removed; the person sets one up at the next sign-in.',
  unlock: 'The account was unlocked.',
};

const LABEL: Record<Action, string> = {
  disable: 'Disable',
  revoke: 'Revoke invitation',
  'resend-invitation': 'Resend invitation',
  'reset-mfa': 'Reset MFA',
  unlock: 'Unlock',
};

/**
 * What fits an account's state: an invitation not yet taken up can only be resent or revoked
 * (it has no password or second factor yet); a disabled account is not disabled again.
 */
function actionsFor(status: string): Action[] {
  if (status === 'invited') return ['resend-invitation', 'revoke'];
  if (status === 'disabled') return ['reset-mfa', 'unlock'];
  return ['disable', 'reset-mfa', 'unlock'];
}

/** Every account, with what an admin may do to it. */
export function UserList({ guarded }: { guarded: Guarded }) {
  const qc = useQueryClient();
  const { session } = useSession();
  const [editing, setEditing] = useState<string | null>(null);
  const [roles, setRoles] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: USERS_KEY, queryFn: adminApi.users });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: USERS_KEY });
    void qc.invalidateQueries({ queryKey: APPROVALS_KEY });
  };
  const act = useMutation({
    // Revoking an invitation disables the invited account: enrollment refuses a disabled
    // account (src/auth/users/enroll.ts), so the link that was sent stops working.
    mutationFn: ({ id, action }: { id: string; action: Action }) =>
      guarded(() => adminApi.act(id, action === 'revoke' ? 'disable' : action)),
    onMutate: () => setNotice(null),
    onSuccess: (_, v) => {
      setNotice(DONE[v.action]);
      refresh();
    },
  });
  const change = useMutation({
    mutationFn: ({ id, next }: { id: string; next: string[] }) =>
      guarded(() => adminApi.roles(id, next)),
    onMutate: () => setNotice(null),
    onSuccess: (r) => {
      setEditing(null);
      setNotice(
        r.status === 'pending'
          ? 'Waiting for a second admin: the new roles apply when another admin approves them.'
          : 'The roles were changed; the person signs in again.',
      );
      refresh();
    },
  });
  const users = list.data?.users ?? [];
  const edit = (u: AdminUser) => {
    setEditing(u.id);
    setRoles(u.roles);
    change.reset();
  };
  return (
    <section aria-labelledby="people-list-title">
      <Title order={2} size="h3" id="people-list-title">
        Accounts
      </Title>
      <Stack gap="sm">
        <ProblemAlert error={list.error} title="The accounts could not be loaded" />
        <ProblemAlert error={act.error ?? change.error} title="The change was not made" />
        {notice && (
          <Alert color="blue" variant="light" role="status" data-testid="people-notice">
            {notice}
          </Alert>
        )}
        {list.isLoading && <Loader size="sm" aria-label="Loading" />}
        {users.length > 0 && (
          <Table withTableBorder aria-label="Accounts" data-testid="people">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Email</Table.Th>
                <Table.Th scope="col">Roles</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Fragment key={u.id}>
                  <Table.Tr data-testid={`person-${u.id}`}>
                    <Table.Td>{u.email}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {u.roles.map((r) => (
                          <Badge key={r} variant="filled">
                            {roleName(r)}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {u.status}
                      {u.mfaConfigured ? '' : ', no second factor'}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {u.id !== session?.userId && (
                          <Button size="compact-xs" variant="default" onClick={() => edit(u)}>
                            Change roles<span className="haven-sr-only"> of {u.email}</span>
                          </Button>
                        )}
                        {actionsFor(u.status).map((a) => (
                          <Button
                            key={a}
                            size="compact-xs"
                            variant="default"
                            disabled={act.isPending}
                            onClick={() => act.mutate({ id: u.id, action: a })}
                          >
                            {LABEL[a]}
                            <span className="haven-sr-only"> {u.email}</span>
                          </Button>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                  {editing === u.id && (
                    <Table.Tr>
                      <Table.Td colSpan={4}>
                        <form
                          aria-label={`Roles of ${u.email}`}
                          onSubmit={(e) => {
                            e.preventDefault();
                            if (roles.length > 0) change.mutate({ id: u.id, next: roles });
                          }}
                        >
                          <Stack gap="xs">
                            <RoleChoice
                              label={`New roles for ${u.email}`}
                              value={roles}
                              onChange={setRoles}
                              error={roles.length === 0 ? 'Choose at least one role' : null}
                            />
                            <Group>
                              <Button type="submit" size="xs" loading={change.isPending}>
                                Save roles
                              </Button>
                              <Button size="xs" variant="default" onClick={() => setEditing(null)}>
                                Cancel
                              </Button>
                            </Group>
                          </Stack>
                        </form>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {list.data && users.length === 0 && <Text>No accounts yet.</Text>}
      </Stack>
    </section>
  );
}
