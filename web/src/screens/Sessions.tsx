import { Badge, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

interface OwnSession {
  /** An opaque handle (GET /api/sessions), never the session's cookie. */
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * "Your sessions": where this person is signed in, and signing out one of the other places (a
 * forgotten shared computer). The current session is ended with "Sign out" instead.
 */
export function Sessions() {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['own-sessions'],
    queryFn: () => get<{ sessions: OwnSession[] }>('/api/sessions'),
  });
  const end = useMutation({
    mutationFn: (handle: string) => post(`/api/sessions/${encodeURIComponent(handle)}/end`),
    // Also after a 404 (ended meanwhile elsewhere): the list shows what is left.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['own-sessions'] }),
  });
  const sessions = list.data?.sessions ?? [];
  return (
    <Stack gap="xs" component="section" aria-labelledby="sessions-title">
      <Title order={2} size="h4" id="sessions-title">
        Your sessions
      </Title>
      <ProblemAlert error={list.error} title="Your sessions could not be loaded" />
      <ProblemAlert error={end.error} title="The session was not signed out" />
      {sessions.length > 0 && (
        <Table data-testid="own-sessions" aria-labelledby="sessions-title">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Signed in</Table.Th>
              <Table.Th>Last active</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th>
                <VisuallyHidden>Action</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sessions.map((s) => (
              <Table.Tr key={s.id} data-testid={s.current ? 'session-current' : 'session-other'}>
                <Table.Td>{when(s.createdAt)}</Table.Td>
                <Table.Td>{when(s.lastSeenAt)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{s.ip ?? 'unknown address'}</Text>
                  <Text size="xs" c="dimmed">
                    {s.userAgent ?? 'unknown browser'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {s.current ? (
                    <Badge variant="filled">This session</Badge>
                  ) : (
                    <Group>
                      <Button
                        size="xs"
                        variant="default"
                        loading={end.isPending && end.variables === s.id}
                        onClick={() => end.mutate(s.id)}
                        aria-label={`Sign out this session (signed in ${when(s.createdAt)})`}
                      >
                        Sign out this session
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
