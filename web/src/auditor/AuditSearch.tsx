import { BarChart } from '@mantine/charts';
import {
  Button,
  Card,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { get } from '../api';
import { resourcesOf, type Bundle } from '../patient/fhir-display';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import {
  actionOf,
  actorOf,
  actorTypeOf,
  auditSearchPath,
  checkFilters,
  NO_FILTERS,
  OUTCOMES,
  patientOf,
  recordOf,
  volumeOverTime,
  type AuditEvent,
  type AuditFilters,
} from './audit-query';
import { TrailStatus } from './TrailStatus';

const ACTIONS = [
  { value: '', label: 'Any action' },
  { value: 'read', label: 'Read' },
  { value: 'search-type', label: 'Search' },
  { value: 'create', label: 'Create' },
  { value: 'update', label: 'Update' },
  { value: 'history-instance', label: 'History' },
  { value: 'export', label: 'Export' },
  { value: 'login-password', label: 'Sign-in (password)' },
  { value: 'break-glass', label: 'Break-glass' },
];

const OUTCOME_CHOICES = [
  { value: '', label: 'Any outcome' },
  { value: '0', label: 'Allowed' },
  { value: '4', label: 'Refused' },
  { value: '8', label: 'Failed' },
];

/**
 * The auditor's view of the trail: filters (person, patient, action, outcome, time range), the
 * volume of accesses over time, the newest entries, and whether the trail verifies. Every
 * search is itself recorded in the trail by the server.
 */
export function AuditSearch() {
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [invalid, setInvalid] = useState<string | undefined>();
  const events = useQuery({
    queryKey: ['audit-search', filters],
    queryFn: () => get<Bundle<AuditEvent> & { total?: number }>(auditSearchPath(filters)),
  });
  const rows = resourcesOf(events.data);
  const volume = volumeOverTime(rows);
  const set = (k: keyof AuditFilters) => (v: string | null) => setDraft({ ...draft, [k]: v ?? '' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = checkFilters(draft);
    setInvalid(problem);
    if (!problem) setFilters(draft);
  };
  return (
    <SignedInPage title="Audit trail" width={1100}>
      <TrailStatus />
      <Card withBorder component="form" onSubmit={submit} aria-label="Audit filters" noValidate>
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Person (account id)"
            value={draft.person}
            onChange={(e) => set('person')(e.currentTarget.value)}
            w={220}
          />
          <TextInput
            label="Patient id"
            value={draft.patient}
            onChange={(e) => set('patient')(e.currentTarget.value)}
            w={220}
          />
          <Select
            label="Action"
            data={ACTIONS}
            value={draft.action}
            onChange={set('action')}
            w={170}
            allowDeselect={false}
          />
          <Select
            label="Outcome"
            data={OUTCOME_CHOICES}
            value={draft.outcome}
            onChange={set('outcome')}
            w={140}
            allowDeselect={false}
          />
          <TextInput
            label="From"
            type="date"
            value={draft.from}
            onChange={(e) => set('from')(e.currentTarget.value)}
            w={150}
          />
          <TextInput
            label="To"
            type="date"
            value={draft.to}
            onChange={(e) => set('to')(e.currentTarget.value)}
            w={150}
          />
          <Button type="submit">Search</Button>
          <Button
            variant="default"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              setInvalid(undefined);
            }}
          >
            Clear
          </Button>
        </Group>
        {invalid && (
          <Text c="red.8" size="sm" role="alert" mt="xs">
            {invalid}
          </Text>
        )}
      </Card>
      <ProblemAlert error={events.error} title="The trail could not be searched" />
      {events.isLoading && <Loader size="sm" aria-label="Loading" />}
      {events.data && (
        <Stack gap="xs">
          <Title order={2} size="h3">
            Access volume
          </Title>
          <Text size="sm" data-testid="audit-total">
            {events.data.total ?? rows.length} entries match
            {rows.length < (events.data.total ?? 0) ? `; the newest ${rows.length} are drawn` : ''}.
          </Text>
          {volume.length > 0 && (
            <div
              role="img"
              aria-label={`Access volume over time: ${volume.length} periods`}
              data-testid="audit-chart"
            >
              <BarChart
                h={220}
                data={volume}
                dataKey="when"
                type="stacked"
                withLegend
                series={[
                  { name: 'allowed', label: 'Allowed', color: 'teal.7' },
                  { name: 'refused', label: 'Refused or failed', color: 'red.7' },
                ]}
              />
            </div>
          )}
          <Title order={2} size="h3">
            Entries
          </Title>
          {rows.length === 0 ? (
            <Text>No entries match.</Text>
          ) : (
            <Table striped withTableBorder aria-label="Audit entries" data-testid="audit-entries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">#</Table.Th>
                  <Table.Th scope="col">When (UTC)</Table.Th>
                  <Table.Th scope="col">Who</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                  <Table.Th scope="col">Record</Table.Th>
                  <Table.Th scope="col">Patient</Table.Th>
                  <Table.Th scope="col">Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.slice(0, 100).map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{e.id}</Table.Td>
                    <Table.Td>{e.recorded.replace('T', ' ').slice(0, 19)}</Table.Td>
                    <Table.Td>
                      {actorTypeOf(e)} {actorOf(e)}
                    </Table.Td>
                    <Table.Td>{actionOf(e)}</Table.Td>
                    <Table.Td>{recordOf(e)}</Table.Td>
                    <Table.Td>{patientOf(e)}</Table.Td>
                    <Table.Td>{OUTCOMES[e.outcome] ?? e.outcome}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </SignedInPage>
  );
}
