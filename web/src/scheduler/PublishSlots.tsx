import { Button, Group, NumberInput, Paper, Select, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import { publishSlots } from './scheduling-api';

/**
 * Publishes free slots: a start (in the browser's own time zone, sent as an instant with its
 * offset), a length and how many follow one another.
 */
export function PublishSlots({
  practitionerId,
  onPublished,
}: {
  practitionerId: string;
  onPublished: () => void;
}) {
  const [start, setStart] = useState('');
  const [minutes, setMinutes] = useState<string | null>('30');
  const [count, setCount] = useState<number | string>(1);
  const publish = useMutation({
    mutationFn: () => {
      const first = new Date(start).getTime();
      const length = Number(minutes) * 60_000;
      const slots = Array.from({ length: Number(count) || 1 }, (_, i) => ({
        start: new Date(first + i * length).toISOString(),
        end: new Date(first + (i + 1) * length).toISOString(),
      }));
      return publishSlots(practitionerId, slots);
    },
    onSuccess: onPublished,
  });
  return (
    <Paper
      withBorder
      p="sm"
      component="form"
      aria-label="Publish free slots"
      onSubmit={(e) => {
        e.preventDefault();
        publish.mutate();
      }}
    >
      <Group align="end" gap="sm">
        <TextInput
          label="First slot starts (your time)"
          type="datetime-local"
          required
          value={start}
          onChange={(e) => setStart(e.currentTarget.value)}
        />
        <Select
          label="Length"
          data={[
            { value: '15', label: '15 minutes' },
            { value: '30', label: '30 minutes' },
            { value: '60', label: '1 hour' },
          ]}
          value={minutes}
          onChange={setMinutes}
          allowDeselect={false}
          w={140}
        />
        <NumberInput label="Slots" min={1} max={16} value={count} onChange={setCount} w={90} />
        <Button type="submit" loading={publish.isPending} disabled={start === ''}>
          Publish free slots
        </Button>
      </Group>
      {publish.isSuccess && (
        <Text size="sm" mt="xs" role="status">
          Published {publish.data.slots.length} free slot(s).
        </Text>
      )}
      <ProblemAlert error={publish.error} title="The slots were not published" />
    </Paper>
  );
}
