import { Button, Card, Group, Select, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { checkResult, LAB_CATEGORY, LAB_TESTS } from './lab-codes';

/** Enter one laboratory result: a final Observation with its LOINC code, value and UCUM unit. */
export function NewResult({ patientId }: { patientId: string }) {
  const client = useQueryClient();
  const [code, setCode] = useState<string | null>(LAB_TESTS[0].code);
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState<string>(LAB_TESTS[0].unit);
  const [invalid, setInvalid] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: () => {
      const test = LAB_TESTS.find((t) => t.code === code)!;
      return post('/fhir/R4/Observation', {
        resourceType: 'Observation',
        status: 'final',
        category: LAB_CATEGORY,
        code: {
          coding: [{ system: 'http://loinc.org', code: test.code, display: test.display }],
          text: test.display,
        },
        subject: { reference: `Patient/${patientId}` },
        effectiveDateTime: new Date().toISOString(),
        issued: new Date().toISOString(),
        valueQuantity: {
          value: Number(value),
          unit: unit.trim(),
          system: 'http://unitsofmeasure.org',
          code: unit.trim(),
        },
      });
    },
    onSuccess: async () => {
      setValue('');
      await client.invalidateQueries({ queryKey: ['lab-results', patientId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = code ? checkResult(value, unit) : 'Choose the test.';
    setInvalid(problem);
    if (!problem) save.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} aria-label="New lab result" noValidate>
      <Title order={2} size="h3" mb="xs">
        Enter a result
      </Title>
      <Group align="flex-end" gap="sm">
        <Select
          label="Test (LOINC)"
          data={LAB_TESTS.map((t) => ({ value: t.code, label: `${t.display} (${t.code})` }))}
          value={code}
          onChange={(c) => {
            setCode(c);
            const t = LAB_TESTS.find((x) => x.code === c);
            if (t) setUnit(t.unit);
          }}
          w={360}
          allowDeselect={false}
        />
        <TextInput
          label="Value"
          inputMode="decimal"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          w={120}
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
          Save result
        </Button>
      </Group>
      {invalid && (
        <Text c="red.8" size="sm" role="alert" mt="xs">
          {invalid}
        </Text>
      )}
      {save.isSuccess && !invalid && (
        <Text size="sm" role="status" mt="xs">
          Result saved.
        </Text>
      )}
      <ProblemAlert error={save.error} title="The result was not saved" />
    </Card>
  );
}
