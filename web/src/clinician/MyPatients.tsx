import { Button, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { dateText, nameOf, search, type Patient } from './fhir';
import { isClinician, useOpenChart } from './open-patient';

interface Criteria {
  name: string;
  birthDate: string;
  identifier: string;
}
const EMPTY: Criteria = { name: '', birthDate: '', identifier: '' };

/** The FHIR search for the criteria: Haven answers it over blind indexes (ADR 0003). */
export function patientSearchPath(c: Criteria): string {
  const params = new URLSearchParams({ _count: '50', _sort: 'family' });
  if (c.name.trim()) params.set('name', c.name.trim());
  if (c.birthDate.trim()) params.set('birthdate', c.birthDate.trim());
  if (c.identifier.trim()) params.set('identifier', c.identifier.trim());
  return `Patient?${params.toString()}`;
}

function criteriaErrors(c: Criteria): Partial<Criteria> {
  const bad: Partial<Criteria> = {};
  if (c.birthDate.trim() && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(c.birthDate.trim())) {
    bad.birthDate = 'Use the form YYYY-MM-DD (or YYYY-MM, YYYY)';
  }
  if (c.name.length > 100) bad.name = 'At most 100 characters';
  if (c.identifier.length > 100) bad.identifier = 'At most 100 characters';
  return bad;
}

/**
 * "My patients": the patients the clinician cares for. The server leaves out every patient
 * outside their care relations (before counting), so the list and its searches show only those.
 * Search terms go in a FHIR search URL to Haven (same origin, no-store), never in the page URL.
 */
export function MyPatients() {
  const { session } = useSession();
  const openChart = useOpenChart();
  const [draft, setDraft] = useState<Criteria>(EMPTY);
  const [criteria, setCriteria] = useState<Criteria>(EMPTY);
  const [errors, setErrors] = useState<Partial<Criteria>>({});
  const [recordId, setRecordId] = useState('');
  const [recordIdError, setRecordIdError] = useState<string | null>(null);
  const allowed = isClinician(session?.roles);
  const path = patientSearchPath(criteria);
  const patients = useQuery({
    queryKey: ['my-patients', path],
    enabled: allowed,
    queryFn: () => search<Patient>(path),
  });
  if (!allowed) {
    return (
      <SignedInPage title="My patients">
        <ProblemAlert
          error={new Error('not a clinician')}
          title="Not allowed: this screen is for physicians and nurses"
        />
      </SignedInPage>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = criteriaErrors(draft);
    setErrors(bad);
    if (Object.keys(bad).length === 0) setCriteria(draft);
  };
  const openById = (e: FormEvent) => {
    e.preventDefault();
    const id = recordId.trim();
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
      setRecordIdError('A record id has letters, digits, "-" and "." only (at most 64)');
      return;
    }
    setRecordIdError(null);
    openChart(id);
  };
  const field = (key: keyof Criteria) => ({
    value: draft[key],
    error: errors[key],
    onChange: (e: { currentTarget: { value: string } }) =>
      setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const rows = patients.data ?? [];
  return (
    <SignedInPage title="My patients" width={1000}>
      <form onSubmit={submit} aria-label="Search my patients" noValidate>
        <Group align="flex-start" gap="sm">
          <TextInput label="Name" autoComplete="off" {...field('name')} />
          <TextInput
            label="Birth date"
            placeholder="YYYY-MM-DD"
            autoComplete="off"
            {...field('birthDate')}
          />
          <TextInput label="Identifier" autoComplete="off" {...field('identifier')} />
          <Button type="submit" mt={25}>
            Search
          </Button>
          <Button
            variant="default"
            mt={25}
            onClick={() => {
              setDraft(EMPTY);
              setErrors({});
              setCriteria(EMPTY);
            }}
          >
            Clear
          </Button>
        </Group>
      </form>
      <ProblemAlert error={patients.error} title="The search did not work" />
      {patients.isLoading && <Loader size="sm" aria-label="Loading" />}
      {patients.data && rows.length === 0 && <Text>No patient in your care matches.</Text>}
      {rows.length > 0 && (
        <Table striped withTableBorder aria-label="My patients" data-testid="my-patients">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Birth date</Table.Th>
              <Table.Th scope="col">Gender</Table.Th>
              <Table.Th scope="col">Identifier</Table.Th>
              <Table.Th scope="col">
                <span className="haven-sr-only">Chart</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{nameOf(p)}</Table.Td>
                <Table.Td>{dateText(p.birthDate)}</Table.Td>
                <Table.Td>{p.gender ?? '—'}</Table.Td>
                <Table.Td>{p.identifier?.[0]?.value ?? '—'}</Table.Td>
                <Table.Td>
                  <Button size="xs" onClick={() => openChart(p.id)}>
                    Open chart<span className="haven-sr-only"> of {nameOf(p)}</span>
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Stack gap="xs" mt="md">
        <Title order={2} size="h4">
          Open a record by its id
        </Title>
        <Text size="sm" c="dimmed">
          For a patient referred to you by record id. Outside your care, Haven shows nothing of it
          and offers emergency access.
        </Text>
        <form onSubmit={openById} aria-label="Open a record by its id" noValidate>
          <Group align="flex-start" gap="sm">
            <TextInput
              label="Patient record id"
              autoComplete="off"
              value={recordId}
              error={recordIdError}
              onChange={(e) => setRecordId(e.currentTarget.value)}
            />
            <Button type="submit" variant="default" mt={25}>
              Open
            </Button>
          </Group>
        </form>
      </Stack>
    </SignedInPage>
  );
}
