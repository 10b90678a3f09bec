import { Anchor, Divider, Loader, Stack } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Redirect } from 'wouter';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { ChartLists, Demographics } from './ChartLists';
import { nameOf, readChartPatient } from './fhir';
import { NoRelationship } from './NoRelationship';
import { Notes } from './Notes';
import { SmartApps } from './SmartApps';
import { chartKey, useOpenPatientId } from './open-patient';
import { Trend } from './Trend';

/** The patient chart of the patient opened from "My patients" (or the break-glass banner). */
export function Chart() {
  const patientId = useOpenPatientId();
  if (patientId === undefined) return <Redirect to="/patients" replace />;
  return <ChartOf key={patientId} patientId={patientId} />;
}

function ChartOf({ patientId }: { patientId: string }) {
  const queryClient = useQueryClient();
  const answer = useQuery({
    queryKey: chartKey(patientId, 'patient'),
    queryFn: () => readChartPatient(patientId),
  });
  const { error } = answer;
  const denied = answer.data && 'denied' in answer.data ? answer.data.denied : undefined;
  const patient = answer.data && 'patient' in answer.data ? answer.data.patient : undefined;
  // Not (or no longer) in this person's care: the server said 404. Whatever the cache still
  // holds of the chart (from before a grant ended) is dropped, not merely hidden.
  useEffect(() => {
    if (!denied) return;
    queryClient.removeQueries({
      queryKey: ['chart', patientId],
      predicate: (q) => q.queryKey[2] !== 'patient',
    });
  }, [denied, patientId, queryClient]);
  const back = (
    <Anchor component={Link} href="/patients">
      Back to my patients
    </Anchor>
  );
  if (denied) {
    return (
      <SignedInPage title="Patient chart" width={1000}>
        {back}
        <NoRelationship patientId={patientId} error={denied} />
      </SignedInPage>
    );
  }
  if (!patient) {
    return (
      <SignedInPage title="Patient chart" width={1000}>
        {back}
        {answer.isLoading && <Loader size="sm" aria-label="Loading the chart" />}
        <ProblemAlert error={error} title="The chart could not be loaded" />
      </SignedInPage>
    );
  }
  return (
    <SignedInPage title={`Chart: ${nameOf(patient)}`} width={1000}>
      {back}
      <Stack gap="lg" data-testid="chart">
        <Demographics patient={patient} />
        <SmartApps patientId={patientId} />
        <Divider />
        <Trend patientId={patientId} />
        <Divider />
        <Notes patientId={patientId} />
        <Divider />
        <ChartLists patientId={patientId} />
      </Stack>
    </SignedInPage>
  );
}
