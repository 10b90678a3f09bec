import { Alert, Button, Group, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { BREAK_GLASS_KEY, endGrant, endTimeText, ownGrants, type Grant } from './break-glass';
import { nameOf, readChartPatient } from './fhir';
import { chartKey, isClinician, useOpenChart } from './open-patient';

/** While a grant lasts, the list is read again this often (a reviewer may end it early). */
const REFRESH_MS = 60_000;
/** Never re-read faster than this, whatever the clocks say. */
const MIN_WAIT_MS = 5_000;

/**
 * The emergency banner, on every screen while one of the person's break-glass grants lasts
 * (ADR 0025): whose record, until when, and a way to end it now. When the grant's time is up
 * the list and every open chart are read again, so the banner goes and the chart's data with it.
 */
export function EmergencyBanner() {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const userId = session?.userId;
  const grants = useQuery({
    queryKey: BREAK_GLASS_KEY,
    enabled: userId !== undefined && isClinician(session?.roles),
    queryFn: () => ownGrants(userId!),
    refetchInterval: (q) => ((q.state.data?.length ?? 0) > 0 ? REFRESH_MS : false),
  });
  const list = grants.data ?? [];
  const firstEnd = list.length > 0 ? Math.min(...list.map((g) => g.secondsLeft)) : undefined;
  useEffect(() => {
    if (firstEnd === undefined) return;
    const t = window.setTimeout(
      () => {
        void queryClient.invalidateQueries({ queryKey: BREAK_GLASS_KEY });
        void queryClient.invalidateQueries({ queryKey: ['chart'] });
      },
      Math.max(MIN_WAIT_MS, firstEnd * 1000 + 1000),
    );
    return () => window.clearTimeout(t);
  }, [firstEnd, grants.dataUpdatedAt, queryClient]);
  if (list.length === 0) return null;
  return (
    <aside aria-label="Emergency access" className="haven-emergency" data-testid="emergency-banner">
      {list.map((g) => (
        <GrantLine key={g.id} grant={g} />
      ))}
    </aside>
  );
}

function GrantLine({ grant }: { grant: Grant }) {
  const queryClient = useQueryClient();
  const openChart = useOpenChart();
  const [error, setError] = useState<unknown>(null);
  const patient = useQuery({
    queryKey: chartKey(grant.patientId, 'patient'),
    queryFn: () => readChartPatient(grant.patientId),
  });
  const end = async () => {
    setError(null);
    try {
      await endGrant(grant.id);
    } catch (e) {
      setError(e);
    }
    await queryClient.invalidateQueries({ queryKey: BREAK_GLASS_KEY });
    await queryClient.invalidateQueries({ queryKey: ['chart'] });
  };
  const who =
    patient.data && 'patient' in patient.data
      ? nameOf(patient.data.patient)
      : 'a patient outside your care';
  return (
    <Alert color="red" variant="filled" radius={0} title="Emergency access (break-glass) is on">
      <Group justify="space-between" gap="sm">
        <Text size="sm">
          You are using emergency access to the record of {who} until{' '}
          <strong data-testid="emergency-ends">{endTimeText(grant.expiresAt)}</strong>. Every access
          is recorded and reviewed.
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="white" color="red" onClick={() => openChart(grant.patientId)}>
            Open the chart
          </Button>
          <Button size="xs" variant="white" color="dark" onClick={() => void end()}>
            End emergency access now
          </Button>
        </Group>
      </Group>
      <ProblemAlert error={error} title="Emergency access could not be ended" />
    </Alert>
  );
}
