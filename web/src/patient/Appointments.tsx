import { Card, Loader, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import type { AppointmentView } from '../scheduler/scheduling-api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';

/** The viewer's own zone: a patient sees their appointments as their own clock shows them. */
const format = (instant: string, o: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat('en-US', o).format(new Date(instant));

/** A patient's upcoming appointments (issue 16): when, with whom, in their own time zone. */
export function Appointments() {
  const list = useQuery({
    queryKey: ['my-appointments'],
    queryFn: () => get<{ appointments: AppointmentView[] }>('/api/scheduling/my-appointments'),
  });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const rows = list.data?.appointments ?? [];
  return (
    <SignedInPage title="My appointments">
      <ProblemAlert error={list.error} title="Your appointments could not be loaded" />
      {list.isLoading && <Loader size="sm" aria-label="Loading" />}
      {list.data && rows.length === 0 && <Text>You have no upcoming appointments.</Text>}
      <Stack gap="sm" data-testid="appointments">
        {rows.map((a) => (
          <Card
            key={a.id}
            withBorder
            component="article"
            aria-label={`Appointment on ${format(a.start, { dateStyle: 'full' })}`}
          >
            <Text fw={600}>{format(a.start, { dateStyle: 'full' })}</Text>
            <Text>
              {format(a.start, { timeStyle: 'short' })} – {format(a.end, { timeStyle: 'short' })}{' '}
              <Text span size="sm" c="dimmed">
                ({zone})
              </Text>
            </Text>
            <Text size="sm">With {a.practitionerName ?? 'your care team'}</Text>
          </Card>
        ))}
      </Stack>
    </SignedInPage>
  );
}
