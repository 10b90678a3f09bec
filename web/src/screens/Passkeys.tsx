import { Button, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { startRegistration } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { get, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

interface Credential {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * The person's passkeys, and adding one: the server wants a fresh password first (sensitive
 * change), then the browser's WebAuthn ceremony (@simplewebauthn/browser).
 */
export function Passkeys() {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['passkeys'],
    queryFn: () => get<{ credentials: Credential[] }>('/api/webauthn/credentials'),
  });
  const [adding, setAdding] = useState(false);
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const add = useMutation({
    mutationFn: async () => {
      await post('/api/reauth', { password });
      const { options } = await post<{
        options: Parameters<typeof startRegistration>[0]['optionsJSON'];
      }>('/api/webauthn/register/options');
      const response = await startRegistration({ optionsJSON: options });
      await post('/api/webauthn/register/verify', { response });
    },
    onSettled: () => setPassword(''),
    onSuccess: () => {
      setAdding(false);
      void queryClient.invalidateQueries({ queryKey: ['passkeys'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!password) return;
    add.mutate();
  };
  const count = list.data?.credentials.length ?? 0;
  return (
    <Stack gap="xs" component="section" aria-labelledby="passkeys-title">
      <Title order={2} size="h4" id="passkeys-title">
        Passkeys
      </Title>
      <Text size="sm" data-testid="passkey-count">
        {count === 0
          ? 'You have no passkey yet. A passkey signs you in with this device, without a password.'
          : `You have ${count} passkey${count === 1 ? '' : 's'}.`}
      </Text>
      <ProblemAlert error={list.error} title="Your passkeys could not be loaded" />
      {!adding && (
        <Group>
          <Button variant="default" onClick={() => setAdding(true)}>
            Add a passkey
          </Button>
        </Group>
      )}
      {adding && (
        <form onSubmit={submit} noValidate aria-label="Add a passkey">
          <Stack gap="sm">
            <PasswordInput
              label="Confirm with your password"
              autoComplete="current-password"
              autoFocus
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={touched && !password ? 'Enter your password' : null}
              required
            />
            <ProblemAlert error={add.error} title="The passkey was not added" />
            <Group>
              <Button type="submit" loading={add.isPending}>
                Continue
              </Button>
              <Button variant="default" onClick={() => setAdding(false)}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
