import { Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import {
  conceptText,
  dateText,
  nameOf,
  search,
  type CodeableConcept,
  type DocumentReference,
  type Patient,
  type Resource,
} from './fhir';
import { PROGRESS_NOTE } from './note-resource';
import { chartKey } from './open-patient';

export function isProgressNote(d: DocumentReference): boolean {
  return d.type?.coding?.some((c) => c.code === PROGRESS_NOTE) ?? false;
}

/** One of the chart's lists: a FHIR search for the patient, shown as a table. */
export function useChartSearch<T extends Resource>(patientId: string, type: string, extra = '') {
  return useQuery({
    queryKey: chartKey(patientId, type),
    queryFn: () => search<T>(`${type}?patient=${encodeURIComponent(patientId)}&_count=500${extra}`),
  });
}

export function Demographics({ patient }: { patient: Patient }) {
  const rows: [string, ReactNode][] = [
    ['Name', nameOf(patient)],
    ['Birth date', dateText(patient.birthDate)],
    ['Gender', patient.gender ?? '—'],
    [
      'Identifiers',
      (patient.identifier ?? [])
        .map(
          (i) => `${conceptText(i.type) === '—' ? '' : `${conceptText(i.type)}: `}${i.value ?? ''}`,
        )
        .join('; ') || '—',
    ],
    ['Phone', patient.telecom?.find((t) => t.system === 'phone')?.value ?? '—'],
    [
      'Address',
      patient.address?.[0]
        ? [...(patient.address[0].line ?? []), patient.address[0].city, patient.address[0].state]
            .filter(Boolean)
            .join(', ')
        : '—',
    ],
  ];
  return (
    <section aria-labelledby="demographics-title">
      <Title order={2} size="h3" id="demographics-title" mb="xs">
        Demographics
      </Title>
      <Table withTableBorder aria-label="Demographics" data-testid="demographics">
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th scope="row" w={160}>
                {k}
              </Table.Th>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}

interface Column<T> {
  header: string;
  cell: (r: T) => ReactNode;
}

/** A titled section listing a search's results, with its loading and error states. */
export function ChartList<T extends Resource>({
  patientId,
  type,
  title,
  columns,
  extra,
  filter,
  empty,
}: {
  patientId: string;
  type: string;
  title: string;
  columns: Column<T>[];
  extra?: string;
  filter?: (r: T) => boolean;
  empty: string;
}) {
  const q = useChartSearch<T>(patientId, type, extra);
  const rows = (q.data ?? []).filter(filter ?? (() => true));
  const id = `${title.toLowerCase().replace(/\W+/g, '-')}-title`;
  return (
    <section aria-labelledby={id}>
      <Title order={2} size="h3" id={id} mb="xs">
        {title}
      </Title>
      <ProblemAlert error={q.error} title={`${title} could not be loaded`} />
      {q.isLoading && <Loader size="sm" aria-label={`Loading ${title.toLowerCase()}`} />}
      {q.data && rows.length === 0 && <Text c="dimmed">{empty}</Text>}
      {rows.length > 0 && (
        <Table striped withTableBorder aria-label={title} data-testid={`chart-${type}`}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th scope="col" key={c.header}>
                  {c.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                {columns.map((c) => (
                  <Table.Td key={c.header}>{c.cell(r)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

const text = (r: Resource, key: string) => conceptText(r[key] as CodeableConcept | undefined);
const date = (r: Resource, ...keys: string[]) => {
  for (const k of keys) {
    const v = r[k] as string | { start?: string } | undefined;
    if (typeof v === 'string') return dateText(v);
    if (v && typeof v === 'object' && v.start) return dateText(v.start);
  }
  return '—';
};

/** Conditions, allergies, medications, encounters and (non-note) documents. */
export function ChartLists({ patientId }: { patientId: string }) {
  return (
    <Stack gap="lg">
      <ChartList
        patientId={patientId}
        type="Condition"
        title="Conditions"
        empty="No conditions recorded."
        columns={[
          { header: 'Condition', cell: (r) => text(r, 'code') },
          { header: 'Status', cell: (r) => text(r, 'clinicalStatus') },
          { header: 'Onset', cell: (r) => date(r, 'onsetDateTime', 'recordedDate') },
        ]}
      />
      <ChartList
        patientId={patientId}
        type="AllergyIntolerance"
        title="Allergies"
        empty="No allergies recorded."
        columns={[
          { header: 'Allergy', cell: (r) => text(r, 'code') },
          { header: 'Criticality', cell: (r) => String(r.criticality ?? '—') },
          { header: 'Status', cell: (r) => text(r, 'clinicalStatus') },
        ]}
      />
      <ChartList
        patientId={patientId}
        type="MedicationRequest"
        title="Medications"
        empty="No medications recorded."
        columns={[
          { header: 'Medication', cell: (r) => text(r, 'medicationCodeableConcept') },
          { header: 'Status', cell: (r) => String(r.status ?? '—') },
          { header: 'Ordered', cell: (r) => date(r, 'authoredOn') },
        ]}
      />
      <ChartList
        patientId={patientId}
        type="Encounter"
        title="Encounters"
        empty="No encounters recorded."
        extra="&_sort=-date"
        columns={[
          {
            header: 'Encounter',
            cell: (r) => conceptText((r.type as CodeableConcept[] | undefined)?.[0]),
          },
          { header: 'Status', cell: (r) => String(r.status ?? '—') },
          { header: 'Date', cell: (r) => date(r, 'period') },
        ]}
      />
      <ChartList<DocumentReference>
        patientId={patientId}
        type="DocumentReference"
        title="Documents"
        empty="No documents other than notes."
        filter={(d) => !isProgressNote(d)}
        columns={[
          {
            header: 'Document',
            cell: (d) => d.content?.[0]?.attachment?.title ?? conceptText(d.type),
          },
          { header: 'Type', cell: (d) => conceptText(d.type) },
          { header: 'Date', cell: (d) => dateText(d.date ?? d.meta?.lastUpdated) },
        ]}
      />
    </Stack>
  );
}
