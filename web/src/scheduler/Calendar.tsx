import {
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import './calendar.css';
import { SignedInPage } from '../ui/SignedInPage';
import { SlotActions, type Chosen } from './SlotActions';
import { PublishSlots } from './PublishSlots';
import {
  calendar,
  daysOf,
  localDate,
  localTime,
  people,
  shiftDate,
  type AppointmentView,
  type SlotView,
} from './scheduling-api';

/**
 * The scheduler's calendar (issue 16): one clinician's week in the clinic's time zone — free
 * and busy slots, booked appointments (who and when, never why) — with booking into a free
 * slot, rescheduling and cancelling. Every change is the server's decision; the week reloads
 * after each.
 */
export function Calendar() {
  const [practitionerId, setPractitionerId] = useState<string | null>(null);
  const [week, setWeek] = useState(() => new Date().toISOString().slice(0, 10));
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const client = useQueryClient();
  const practitioners = useQuery({
    queryKey: ['practitioners'],
    queryFn: () => people('Practitioner'),
  });
  const current = useQuery({
    queryKey: ['calendar', practitionerId, week],
    enabled: practitionerId !== null,
    queryFn: () => calendar(practitionerId!, week),
  });
  const reload = () => client.invalidateQueries({ queryKey: ['calendar'] });
  const data = current.data;
  return (
    <SignedInPage title="Calendar" width={1180}>
      <Group align="end" gap="md">
        <Select
          label="Clinician"
          placeholder="Choose a clinician"
          data={(practitioners.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          value={practitionerId}
          onChange={setPractitionerId}
          w={260}
        />
        <TextInput
          label="Week of"
          type="date"
          value={week}
          onChange={(e) => e.currentTarget.value && setWeek(e.currentTarget.value)}
          w={170}
        />
        <Button variant="default" onClick={() => setWeek(shiftDate(week, -7))}>
          Previous week
        </Button>
        <Button variant="default" onClick={() => setWeek(shiftDate(week, 7))}>
          Next week
        </Button>
      </Group>
      <ProblemAlert
        error={practitioners.error ?? current.error}
        title="The calendar could not be loaded"
      />
      {current.isLoading && <Loader size="sm" aria-label="Loading" />}
      {practitionerId !== null && (
        <PublishSlots practitionerId={practitionerId} onPublished={() => void reload()} />
      )}
      {data && (
        <>
          <Text size="sm" c="dimmed">
            Times in {data.timeZone}.
          </Text>
          <div className="haven-week" data-testid="week">
            {daysOf(data).map((day) => (
              <Paper key={day.date} withBorder p="xs" component="section" aria-label={day.label}>
                <Title order={2} size="h6" mb={4}>
                  {day.label}
                </Title>
                <Stack gap={6}>
                  {data.slots
                    .filter((s) => localDate(s.start, data.timeZone) === day.date)
                    .map((s) => (
                      <SlotCard
                        key={s.id}
                        slot={s}
                        timeZone={data.timeZone}
                        appointment={data.appointments.find(
                          (a) => a.slotId === s.id && a.status === 'booked',
                        )}
                        onChoose={setChosen}
                      />
                    ))}
                </Stack>
              </Paper>
            ))}
          </div>
          {data.slots.length === 0 && <Text>No slots this week.</Text>}
        </>
      )}
      {chosen && data && (
        <SlotActions
          chosen={chosen}
          week={data}
          onClose={() => setChosen(null)}
          onChanged={() => {
            setChosen(null);
            void reload();
          }}
        />
      )}
    </SignedInPage>
  );
}

function SlotCard({
  slot,
  timeZone,
  appointment,
  onChoose,
}: {
  slot: SlotView;
  timeZone: string;
  appointment: AppointmentView | undefined;
  onChoose: (c: Chosen) => void;
}) {
  const time = `${localTime(slot.start, timeZone)}–${localTime(slot.end, timeZone)}`;
  const free = slot.status === 'free';
  return (
    <Paper withBorder p={6} data-testid="slot">
      <Group justify="space-between" gap={4}>
        <Text size="sm" fw={600}>
          {time}
        </Text>
        <Badge size="xs" color={free ? 'teal.9' : 'gray.8'} variant="filled">
          {free ? 'Free' : 'Booked'}
        </Badge>
      </Group>
      {appointment && (
        <Text size="xs" mt={2}>
          {appointment.patientName ?? 'Patient'}
        </Text>
      )}
      <Button
        size="compact-xs"
        mt={4}
        variant={free ? 'filled' : 'default'}
        aria-label={free ? `Book ${time}` : `Change appointment at ${time}`}
        disabled={!free && !appointment}
        onClick={() =>
          onChoose(
            free ? { kind: 'book', slot } : { kind: 'change', slot, appointment: appointment! },
          )
        }
      >
        {free ? 'Book' : 'Change'}
      </Button>
    </Paper>
  );
}
