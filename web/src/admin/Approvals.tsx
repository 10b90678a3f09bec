import { Alert, Button, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { adminApi, APPROVALS_KEY, roleName, USERS_KEY } from './admin-api';
import type { Guarded } from './reauth';

const KIND: Record<string, string> = {
  'user-create': 'New account',
  'user-roles': 'Role change',
};

/**
 * Changes waiting for a second admin. The requester sees their own too, with the button: the
 * server refuses a self-approval, and the refusal (with its request id) is what they see.
 */
export function Approvals({ guarded }: { guarded: Guarded }) {
  const qc = useQueryClient();
  const { session } = useSession();
  const list = useQuery({ queryKey: APPROVALS_KEY, queryFn: adminApi.approvals });
  const users = useQuery({ queryKey: USERS_KEY, queryFn: adminApi.users });
  const approve = useMutation({
    mutationFn: (id: string) => guarded(() => adminApi.approve(id)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: USERS_KEY });
      void qc.invalidateQueries({ queryKey: APPROVALS_KEY });
    },
  });
  const email = (id: string) => users.data?.users.find((u) => u.id === id)?.email;
  const rows = list.data?.approvals ?? [];
  return (
    <section aria-labelledby="approvals-title">
      <Title order={2} size="h3" id="approvals-title">
        Waiting for a second admin
      </Title>
      <Stack gap="sm">
        <ProblemAlert error={list.error} title="The approvals could not be loaded" />
        <ProblemAlert error={approve.error} title="Not approved" />
        {approve.isSuccess && (
          <Alert color="green" variant="light" role="status">
            Approved: the change is applied.
          </Alert>
        )}
        {list.isLoading && <Loader size="sm" aria-label="Loading" />}
        {list.data && rows.length === 0 && <Text>Nothing is waiting.</Text>}
        {rows.length > 0 && (
          <Table withTableBorder aria-label="Changes waiting for approval" data-testid="approvals">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Change</Table.Th>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Roles</Table.Th>
                <Table.Th scope="col">Requested by</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{KIND[a.kind] ?? a.kind}</Table.Td>
                  <Table.Td>{email(a.subjectId) ?? `New account ${a.subjectId}`}</Table.Td>
                  <Table.Td>
                    {a.roles.map(roleName).join(', ')}
                    {a.links.length > 0 ? `; linked to a ${a.links.join(' and a ')} record` : ''}
                  </Table.Td>
                  <Table.Td>
                    {a.requestedBy === session?.userId
                      ? 'You'
                      : (email(a.requestedBy) ?? a.requestedBy)}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      disabled={approve.isPending}
                      onClick={() => approve.mutate(a.id)}
                    >
                      Approve<span className="haven-sr-only"> change {a.id}</span>
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </section>
  );
}
