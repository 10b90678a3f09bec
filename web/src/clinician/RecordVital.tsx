import { Alert, Button, Group, NativeSelect, Stack, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { create, type Observation } from './fhir';
import { chartKey } from './open-patient';
import { VITAL_SIGNS, vitalByKey, vitalObservation, vitalValueError } from './vitals';

/**
 * Records one vital sign as an Observation (LOINC code, UCUM unit), checked on screen first:
 * a value out of its plausible range or with stray characters is never sent.
 */
export function RecordVital({
  patientId,
  onRecorded,
}: {
  patientId: string;
  onRecorded: (loinc: string) => void;
}) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState(VITAL_SIGNS[0]!.key);
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const vital = vitalByKey(kind)!;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const bad = vitalValueError(vital, value);
    setFieldError(bad);
    if (bad) return;
    setBusy(true);
    setError(null);
    try {
      const body = vitalObservation(
        vital,
        Number(value.trim()),
        patientId,
        new Date(),
        session?.practitionerId,
      );
      await create<Observation>(body);
      setDone(`${vital.label} ${value.trim()} ${vital.unit} recorded.`);
      setValue('');
      await queryClient.invalidateQueries({ queryKey: chartKey(patientId, 'Observation') });
      onRecorded(vital.loinc);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="record-vital-title" noValidate>
      <Stack gap="xs">
        <Title order={3} size="h4" id="record-vital-title">
          Record a vital sign
        </Title>
        <Group align="flex-start" gap="sm">
          <NativeSelect
            label="Vital sign"
            value={kind}
            onChange={(e) => {
              setKind(e.currentTarget.value);
              setFieldError(null);
            }}
            data={VITAL_SIGNS.map((v) => ({ value: v.key, label: `${v.label} (${v.unit})` }))}
          />
          <TextInput
            label={`Value in ${vital.unit}`}
            inputMode="decimal"
            autoComplete="off"
            value={value}
            error={fieldError}
            onChange={(e) => setValue(e.currentTarget.value)}
          />
          <Button type="submit" mt={25} loading={busy}>
            Record
          </Button>
        </Group>
        <ProblemAlert error={error} title="The observation was not recorded" />
        {done && (
          <Alert color="teal" variant="light" role="status" data-testid="vital-recorded">
            {done}
          </Alert>
        )}
      </Stack>
    </form>
  );
}
