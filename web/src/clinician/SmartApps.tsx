import { Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

interface SmartApp {
  id: string;
  name: string;
  launchUrl: string;
}

/**
 * The chart's "Apps" menu (ADR 0035, EHR launch): the registered SMART apps with a launch URL.
 * Choosing one asks Haven for a single-use launch value naming this patient and opens the app in
 * a new tab with `iss` and `launch` only: the patient id never appears in the URL.
 */
export function SmartApps({ patientId }: { patientId: string }) {
  const [open, setOpen] = useState(false);
  const apps = useQuery({
    queryKey: ['smart-apps'],
    queryFn: () => get<{ apps: SmartApp[] }>('/api/smart/apps'),
    enabled: open,
  });
  const launch = useMutation({
    mutationFn: (app: SmartApp) =>
      post<{ launch: string; iss: string }>('/api/smart/launch', {
        clientId: app.id,
        patientId,
      }).then((l) => ({ app, ...l })),
    onSuccess: ({ app, launch: value, iss }) => {
      const url = new URL(app.launchUrl);
      url.searchParams.set('iss', iss);
      url.searchParams.set('launch', value);
      window.open(url.toString(), '_blank', 'noopener,noreferrer');
    },
  });
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" size="xs" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          Apps
        </Button>
      </Group>
      {open && (
        <Stack gap="xs" id="smart-apps">
          <ProblemAlert error={apps.error} title="The apps could not be listed" />
          <ProblemAlert error={launch.error} title="The app could not be launched" />
          {apps.data?.apps.length === 0 && (
            <Text size="sm" c="dimmed">
              No app is registered for launch from the chart.
            </Text>
          )}
          {apps.data && apps.data.apps.length > 0 && (
            <Group role="group" aria-label="Apps for this patient">
              {apps.data.apps.map((a) => (
                <Button
                  key={a.id}
                  size="xs"
                  variant="default"
                  loading={launch.isPending && launch.variables.id === a.id}
                  onClick={() => launch.mutate(a)}
                >
                  {a.name}
                </Button>
              ))}
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}
