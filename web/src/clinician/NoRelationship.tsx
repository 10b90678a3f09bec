import { Alert, Button, PasswordInput, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { BREAK_GLASS_KEY, breakGlass } from './break-glass';

/**
 * What a clinician sees for a patient outside their care (the server answered 404, as it does
 * for a record that does not exist: ADR 0008): no data of the patient, the request id to quote,
 * and the break-glass offer.
 */
export function NoRelationship({ patientId, error }: { patientId: string; error: unknown }) {
  const requestId = error instanceof ApiProblem ? error.requestId : undefined;
  return (
    <Stack gap="md" data-testid="no-relationship">
      <Alert color="red" variant="light" title="You have no care relationship with this patient">
        <Text size="sm">
          Haven shows a patient&apos;s record only to the clinicians caring for them: a care team,
          an appointment, or emergency access. You have none with this patient (or no patient has
          this record id), so nothing of the record is shown.
        </Text>
        {requestId && (
          <Text size="xs" c="dimmed" mt={4} data-testid="request-id">
            Request id: {requestId}
          </Text>
        )}
      </Alert>
      <BreakGlassForm patientId={patientId} />
    </Stack>
  );
}

const MIN_REASON = 10;
const MAX_REASON = 500;

function BreakGlassForm({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ reason?: string; password?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = reason.trim();
    const found = {
      ...(r.length < MIN_REASON && {
        reason: `State the emergency (at least ${MIN_REASON} characters)`,
      }),
      ...(r.length > MAX_REASON && { reason: `Keep it under ${MAX_REASON} characters` }),
      ...(password === '' && { password: 'Enter your password to confirm it is you' }),
    };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await breakGlass(patientId, r, password);
      await queryClient.invalidateQueries({ queryKey: BREAK_GLASS_KEY });
      await queryClient.invalidateQueries({ queryKey: ['chart', patientId] });
    } catch (err) {
      setError(err);
    } finally {
      setPassword('');
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="break-glass-title" noValidate>
      <Stack gap="sm">
        <Title order={2} size="h4" id="break-glass-title">
          Emergency access (break-glass)
        </Title>
        <Text size="sm">
          In an emergency you may open this record for a limited time. Your reason is recorded, the
          privacy officer is alerted, and every access is reviewed.
        </Text>
        <Textarea
          label="Reason for emergency access"
          description={`What the emergency is (${MIN_REASON}–${MAX_REASON} characters)`}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={errors.reason}
          minRows={2}
          autosize={false}
          required
        />
        <PasswordInput
          label="Your password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          required
        />
        <ProblemAlert error={error} title="Emergency access was not granted" />
        <div>
          <Button type="submit" color="red" loading={busy}>
            Request emergency access
          </Button>
        </div>
      </Stack>
    </form>
  );
}
