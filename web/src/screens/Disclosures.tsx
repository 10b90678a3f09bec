import { Loader, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { usePatientSelf } from '../patient-self';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';

interface Access {
  when: string;
  who: { type: string; id: string };
  action: string;
  outcome: string;
  resource?: string;
  reason?: string;
}

const ACTIONS: Record<string, string> = {
  read: 'Viewed',
  vread: 'Viewed a version',
  search: 'Searched',
  create: 'Added',
  update: 'Changed',
  delete: 'Removed',
  history: 'Viewed the history',
  export: 'Exported',
  'user-create': 'Created your account',
  enroll: 'Set up your account',
};

const WHO: Record<string, string> = {
  user: 'Person',
  client: 'Connected system',
  system: 'Haven',
};

/** The accounting of disclosures (45 CFR 164.528): every access to my record, newest first. */
export function Disclosures() {
  const self = usePatientSelf();
  const { session } = useSession();
  const patientId = self.data?.id;
  const list = useQuery({
    queryKey: ['disclosures', patientId],
    enabled: patientId !== undefined,
    queryFn: () =>
      get<{ accesses: Access[] }>(`/api/patients/${encodeURIComponent(patientId!)}/disclosures`),
  });
  const rows = [...(list.data?.accesses ?? [])].sort((a, b) => b.when.localeCompare(a.when));
  return (
    <SignedInPage title="Who has seen my record">
      <Text>
        Every time someone opened, searched or changed your record, Haven wrote it down. This is
        that list.
      </Text>
      <ProblemAlert error={self.error ?? list.error} title="The list could not be loaded" />
      {(self.isLoading || list.isLoading) && <Loader size="sm" aria-label="Loading" />}
      {list.data && rows.length === 0 && <Text>Nobody has accessed your record yet.</Text>}
      {rows.length > 0 && (
        <Table striped withTableBorder aria-label="Accesses to my record" data-testid="disclosures">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Who</Table.Th>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col">Record</Table.Th>
              <Table.Th scope="col">Result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={`${r.when}-${i}`}>
                <Table.Td>{new Date(r.when).toLocaleString()}</Table.Td>
                <Table.Td>
                  {r.who.type === 'user' && r.who.id === session?.userId
                    ? 'You'
                    : `${WHO[r.who.type] ?? r.who.type} ${r.who.type === 'system' ? '' : r.who.id}`}
                </Table.Td>
                <Table.Td>{ACTIONS[r.action] ?? r.action}</Table.Td>
                <Table.Td>{r.resource ?? ''}</Table.Td>
                <Table.Td>
                  {r.outcome === 'success' ? 'Allowed' : 'Refused'}
                  {r.reason ? ` (${r.reason})` : ''}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </SignedInPage>
  );
}
