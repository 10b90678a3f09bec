import { Card, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { usePatientSelf } from '../patient-self';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { DownloadRecord } from './DownloadRecord';
import {
  conceptText,
  newestFirst,
  noteText,
  RELEASED_STATUSES,
  resourcesOf,
  valueText,
  when,
  type Bundle,
  type DiagnosticReport,
  type DocumentReference,
  type Observation,
} from './fhir-display';

/**
 * The patient's released results and signed notes. The server returns only what a clinician
 * has released (the access policy's released-to-patient condition); the page shows the final
 * ones. Everything stays in the query cache, which a sign-out drops.
 */
export function Results() {
  const self = usePatientSelf();
  const id = self.data?.id;
  const search = <T,>(type: string) =>
    get<Bundle<T>>(`/fhir/R4/${type}?patient=${encodeURIComponent(id!)}&_count=100`);
  const observations = useQuery({
    queryKey: ['my-results', id],
    enabled: id !== undefined,
    queryFn: () => search<Observation>('Observation'),
  });
  const reports = useQuery({
    queryKey: ['my-reports', id],
    enabled: id !== undefined,
    queryFn: () => search<DiagnosticReport>('DiagnosticReport'),
  });
  const notes = useQuery({
    queryKey: ['my-notes', id],
    enabled: id !== undefined,
    queryFn: () => search<DocumentReference>('DocumentReference'),
  });
  const results = newestFirst(
    resourcesOf(observations.data).filter((o) => RELEASED_STATUSES.has(o.status)),
  );
  const reportRows = newestFirst(
    resourcesOf(reports.data).filter((r) => RELEASED_STATUSES.has(r.status)),
  );
  const signed = newestFirst(resourcesOf(notes.data).filter((d) => d.docStatus === 'final'));
  const loading = self.isLoading || observations.isLoading || reports.isLoading || notes.isLoading;
  return (
    <SignedInPage title="My results and notes" width={900}>
      <DownloadRecord patientId={id} />
      <ProblemAlert
        error={self.error ?? observations.error ?? reports.error ?? notes.error}
        title="Your results could not be loaded"
      />
      {loading && <Loader size="sm" aria-label="Loading" />}
      <Stack gap="xs">
        <Title order={2} size="h3">
          Results
        </Title>
        {observations.data && results.length === 0 && (
          <Text>No results have been released to you yet.</Text>
        )}
        {results.length > 0 && (
          <Table striped withTableBorder aria-label="My results" data-testid="results">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Date</Table.Th>
                <Table.Th scope="col">Test</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {results.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{when(o.effectiveDateTime ?? o.issued)}</Table.Td>
                  <Table.Td>{conceptText(o.code)}</Table.Td>
                  <Table.Td>{valueText(o)}</Table.Td>
                  <Table.Td>{o.status === 'corrected' ? 'Corrected' : 'Final'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {reportRows.length > 0 && (
        <Stack gap="xs">
          <Title order={2} size="h3">
            Reports
          </Title>
          <Table striped withTableBorder aria-label="My reports" data-testid="reports">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Date</Table.Th>
                <Table.Th scope="col">Report</Table.Th>
                <Table.Th scope="col">Results in it</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {reportRows.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{when(r.effectiveDateTime ?? r.issued)}</Table.Td>
                  <Table.Td>{conceptText(r.code)}</Table.Td>
                  <Table.Td>{r.result?.length ?? 0}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      <Stack gap="xs">
        <Title order={2} size="h3">
          Notes
        </Title>
        {notes.data && signed.length === 0 && <Text>No notes have been shared with you yet.</Text>}
        {signed.map((d) => (
          <Card key={d.id} withBorder data-testid="note">
            <Text fw={600}>
              {d.content?.[0]?.attachment?.title ?? conceptText(d.type)} · {when(d.date)}
            </Text>
            <Text style={{ whiteSpace: 'pre-wrap' }}>{noteText(d)}</Text>
          </Card>
        ))}
      </Stack>
    </SignedInPage>
  );
}
