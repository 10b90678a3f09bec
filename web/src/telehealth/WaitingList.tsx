import { Anchor, List, Loader, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { waitingList } from './visit-api';

/** The clinician's waiting room: patients who have entered one of their visit rooms. */
export function WaitingList() {
  const list = useQuery({
    queryKey: ['visits-waiting'],
    queryFn: waitingList,
    refetchInterval: 3000,
  });
  const rows = list.data?.waiting ?? [];
  return (
    <SignedInPage title="Waiting patients">
      <ProblemAlert error={list.error} title="The waiting list could not be loaded" />
      {list.isLoading && <Loader size="sm" aria-label="Loading" />}
      {list.data && rows.length === 0 && <Text>Nobody is waiting right now.</Text>}
      <List spacing="xs" aria-label="Waiting patients">
        {rows.map((r) => (
          <List.Item key={r.appointment}>
            <Anchor component={Link} href={`/visit/${encodeURIComponent(r.appointment)}`}>
              Patient waiting since {new Date(r.since).toLocaleTimeString()} — open the visit
            </Anchor>
          </List.Item>
        ))}
      </List>
    </SignedInPage>
  );
}
