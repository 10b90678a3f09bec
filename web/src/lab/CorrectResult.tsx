import { Button, Card, Group, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { conceptText, valueText, type Observation } from '../patient/fhir-display';
import { ProblemAlert } from '../ui/ProblemAlert';
import { checkResult } from './lab-codes';

/**
 * Correct a result: the same Observation, a new version with status 'corrected' and the new
 * value, written only on top of the version shown (If-Match), so a correction made meanwhile by
 * someone else is not overwritten. The earlier value stays in the record's history.
 */
export function CorrectResult({
  observation,
  onDone,
}: {
  observation: Observation;
  onDone: () => void;
}) {
  const client = useQueryClient();
  const [value, setValue] = useState(String(observation.valueQuantity?.value ?? ''));
  const [unit, setUnit] = useState(observation.valueQuantity?.unit ?? '');
  const [invalid, setInvalid] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: () => {
      const { meta: _meta, ...rest } = observation;
      return request(
        'PUT',
        `/fhir/R4/Observation/${encodeURIComponent(observation.id)}`,
        {
          ...rest,
          status: 'corrected',
          issued: new Date().toISOString(),
          valueQuantity: {
            ...observation.valueQuantity,
            value: Number(value),
            unit: unit.trim(),
            code: unit.trim(),
          },
        },
        observation.meta?.versionId,
      );
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['lab-results'] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = checkResult(value, unit);
    setInvalid(problem);
    if (!problem) save.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="Correct a result" noValidate>
      <Title order={2} size="h3" mb="xs">
        Correct {conceptText(observation.code)}
      </Title>
      <Text size="sm" mb="xs">
        Recorded value: {valueText(observation)}. The correction replaces it; the recorded value
        stays in the result&apos;s history.
      </Text>
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Corrected value"
          inputMode="decimal"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          w={140}
          required
        />
        <TextInput
          label="Unit"
          value={unit}
          onChange={(e) => setUnit(e.currentTarget.value)}
          w={120}
          required
        />
        <Button type="submit" loading={save.isPending}>
          Save correction
        </Button>
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
      </Group>
      {invalid && (
        <Text c="red.8" size="sm" role="alert" mt="xs">
          {invalid}
        </Text>
      )}
      <ProblemAlert error={save.error} title="The correction was not saved" />
    </Card>
  );
}
