import { Button, Card, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { get, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { useReauth } from './reauth';

interface AppToken {
  id: string;
  name: string;
  scopes: string;
  createdAt: string;
}

const NAME = /^[\w .-]{1,64}$/;

/**
 * One's own app tokens (src/http/app-token-routes.ts): SMART `user/` or `patient/` scopes acting
 * for this person. Making one asks for the password again when the last confirmation is old;
 * the token is shown once, here, and dropped from the page when it is dismissed.
 */
export function AppTokens() {
  const client = useQueryClient();
  const { guarded, prompt } = useReauth();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('user/*.rs');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const tokens = useQuery({
    queryKey: ['app-tokens'],
    queryFn: () => get<{ tokens: AppToken[] }>('/api/app-tokens'),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['app-tokens'] });
  const add = useMutation({
    mutationFn: () =>
      guarded(() =>
        post<{ id: string; token: string }>('/api/app-tokens', { name: name.trim(), scopes }),
      ),
    onSuccess: async (made) => {
      setShown({ name: name.trim(), token: made.token });
      setName('');
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => post(`/api/app-tokens/${encodeURIComponent(id)}/revoke`),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = !NAME.test(name.trim())
      ? 'Name the app with letters, digits, spaces, dots or dashes (up to 64).'
      : scopes.trim() === ''
        ? 'Give at least one scope.'
        : undefined;
    setInvalid(problem);
    if (!problem) add.mutate();
  };
  const list = tokens.data?.tokens ?? [];
  return (
    <Stack gap="sm">
      <Title order={2} size="h3">
        My app tokens
      </Title>
      {prompt}
      {shown && (
        <Card withBorder role="status" data-testid="new-token">
          <Text fw={600}>Token for {shown.name}, shown only this once:</Text>
          <Code block>{shown.token}</Code>
          <Button mt="xs" variant="default" onClick={() => setShown(null)}>
            I have copied it
          </Button>
        </Card>
      )}
      <Card withBorder component="form" onSubmit={submit} aria-label="New app token" noValidate>
        <Group align="flex-end" gap="sm">
          <TextInput
            label="App name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={220}
            required
          />
          <TextInput
            label="Scopes"
            value={scopes}
            onChange={(e) => setScopes(e.currentTarget.value)}
            w={260}
            required
          />
          <Button type="submit" loading={add.isPending}>
            Make token
          </Button>
        </Group>
        {invalid && (
          <Text c="red.8" size="sm" role="alert" mt="xs">
            {invalid}
          </Text>
        )}
      </Card>
      <ProblemAlert error={tokens.error ?? add.error ?? revoke.error} title="App tokens" />
      {tokens.data && list.length === 0 && <Text>No app tokens.</Text>}
      {list.length > 0 && (
        <Table striped withTableBorder aria-label="My app tokens" data-testid="app-tokens">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">App</Table.Th>
              <Table.Th scope="col">Scopes</Table.Th>
              <Table.Th scope="col">Made</Table.Th>
              <Table.Th scope="col">Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.scopes}</Table.Td>
                <Table.Td>{new Date(t.createdAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Revoke ${t.name}`}
                    onClick={() => revoke.mutate(t.id)}
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
