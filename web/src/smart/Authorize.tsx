import { Button, Group, List, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { get, post } from '../api';
import { Page } from '../ui/Page';
import { ProblemAlert } from '../ui/ProblemAlert';

interface Asked {
  app: string;
  scopes: string[];
}

/**
 * The SMART consent screen (ADR 0035): reached from /oauth2/authorize after sign-in with both
 * factors. It lists what the app asks for in plain words; approving or declining sends the
 * browser back to the app (a code, or error=access_denied). Loaded only when an app asks.
 */
export function Authorize() {
  const request = new URLSearchParams(window.location.search).get('request') ?? '';
  const path = `/api/smart/authorizations/${encodeURIComponent(request)}`;
  const asked = useQuery({
    queryKey: ['smart-authorization', request],
    queryFn: () => get<Asked>(path),
    retry: false,
  });
  const decide = useMutation({
    mutationFn: (approve: boolean) => post<{ location: string }>(`${path}/decision`, { approve }),
    onSuccess: ({ location }) => window.location.assign(location),
  });
  if (asked.error)
    return (
      <Page title="Connect an app">
        <ProblemAlert error={asked.error} title="This request cannot be used" />
        <Text>Start again from the app.</Text>
      </Page>
    );
  if (!asked.data) return <Page title="Connect an app">{null}</Page>;
  return (
    <Page title={`Allow ${asked.data.app} to use your Haven account?`} width={560}>
      <Text>If you allow it, {asked.data.app} will be able to:</Text>
      <List aria-label="What the app asks for" spacing="xs">
        {asked.data.scopes.map((s) => (
          <List.Item key={s}>{s}</List.Item>
        ))}
      </List>
      <Text size="sm" c="dimmed">
        It never sees more than you may see in Haven, and you can stop it at any time by signing out
        of it or asking an administrator.
      </Text>
      <ProblemAlert error={decide.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={() => decide.mutate(false)} loading={decide.isPending}>
          Deny
        </Button>
        <Button onClick={() => decide.mutate(true)} loading={decide.isPending}>
          Allow
        </Button>
      </Group>
    </Page>
  );
}
