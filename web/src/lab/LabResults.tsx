import { Button, Group, Loader, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../api';
import {
  conceptText,
  newestFirst,
  resourcesOf,
  valueText,
  when,
  type Bundle,
  type Observation,
} from '../patient/fhir-display';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { CorrectResult } from './CorrectResult';
import { NewResult } from './NewResult';
import { ResultHistory } from './ResultHistory';

interface LabPatient {
  id: string;
  name?: { text?: string; given?: string[]; family?: string }[];
  birthDate?: string;
}

const nameOf = (p: LabPatient) => {
  const n = p.name?.[0];
  return n?.text ?? [...(n?.given ?? []), n?.family ?? ''].join(' ').trim();
};

/**
 * The lab assistant's bench: the patients with a lab order (the only ones the policy lets the
 * lab see, and only their identification fields), their laboratory results, a form to enter a
 * new one and a way to correct one. A correction is a new version with status 'corrected'; the
 * earlier value stays in the record's history.
 */
export function LabResults() {
  const [patientId, setPatientId] = useState<string | null>(null);
  const [correcting, setCorrecting] = useState<Observation | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const patients = useQuery({
    queryKey: ['lab-patients'],
    queryFn: () => get<Bundle<LabPatient>>('/fhir/R4/Patient?_count=100'),
  });
  const results = useQuery({
    queryKey: ['lab-results', patientId],
    enabled: patientId !== null,
    queryFn: () =>
      get<Bundle<Observation>>(
        `/fhir/R4/Observation?patient=${encodeURIComponent(patientId!)}&_count=100`,
      ),
  });
  const options = resourcesOf(patients.data).map((p) => ({
    value: p.id,
    label: `${nameOf(p)}${p.birthDate ? ` (born ${p.birthDate})` : ''}`,
  }));
  const rows = newestFirst(resourcesOf(results.data));
  return (
    <SignedInPage title="Lab results" width={960}>
      <ProblemAlert error={patients.error} title="The patients could not be loaded" />
      <Select
        label="Patient (with a lab order)"
        placeholder={patients.isLoading ? 'Loading…' : 'Choose a patient'}
        data={options}
        value={patientId}
        onChange={(v) => {
          setPatientId(v);
          setCorrecting(null);
          setHistoryOf(null);
        }}
        searchable
        nothingFoundMessage="No patient with a lab order"
      />
      {patientId && (
        <>
          <NewResult patientId={patientId} />
          {correcting && (
            <CorrectResult observation={correcting} onDone={() => setCorrecting(null)} />
          )}
          <Stack gap="xs">
            <Title order={2} size="h3">
              Laboratory results
            </Title>
            <ProblemAlert error={results.error} title="The results could not be loaded" />
            {results.isLoading && <Loader size="sm" aria-label="Loading" />}
            {results.data && rows.length === 0 && <Text>No laboratory results yet.</Text>}
            {rows.length > 0 && (
              <Table
                striped
                withTableBorder
                aria-label="Laboratory results"
                data-testid="lab-results"
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Date</Table.Th>
                    <Table.Th scope="col">Test</Table.Th>
                    <Table.Th scope="col">Value</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((o) => (
                    <Table.Tr key={o.id}>
                      <Table.Td>{when(o.effectiveDateTime ?? o.issued)}</Table.Td>
                      <Table.Td>{conceptText(o.code)}</Table.Td>
                      <Table.Td>{valueText(o)}</Table.Td>
                      <Table.Td>{o.status}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          {o.valueQuantity && (
                            <Button
                              size="compact-sm"
                              variant="default"
                              aria-label={`Correct ${conceptText(o.code)} of ${when(o.effectiveDateTime ?? o.issued)}`}
                              onClick={() => setCorrecting(o)}
                            >
                              Correct
                            </Button>
                          )}
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            aria-label={`History of ${conceptText(o.code)} of ${when(o.effectiveDateTime ?? o.issued)}`}
                            onClick={() => setHistoryOf(historyOf === o.id ? null : o.id)}
                          >
                            History
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {historyOf && <ResultHistory observationId={historyOf} />}
          </Stack>
        </>
      )}
    </SignedInPage>
  );
}
