import { Alert, Badge, Group, Loader, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

interface Status {
  checkedAt: string;
  verified: boolean;
  entries: number;
  checkpointsChecked: number;
  problem?: { seq: number; kind: string };
  lastCheckpoint?: { size: number; rootHash: string; signedAt: string };
}

/** Whether every entry of the trail verifies against the signed checkpoints, checked now. */
export function TrailStatus() {
  const status = useQuery({
    queryKey: ['audit-status'],
    queryFn: () => get<Status>('/api/audit/status'),
  });
  const s = status.data;
  return (
    <div data-testid="trail-status">
      <ProblemAlert error={status.error} title="The trail status could not be loaded" />
      {status.isLoading && <Loader size="sm" aria-label="Verifying the trail" />}
      {s && (
        <Alert
          color={s.verified ? 'teal.9' : 'red.9'}
          variant="default"
          title={s.verified ? 'The audit trail verifies' : 'The audit trail does NOT verify'}
        >
          <Group gap="xs">
            <Badge color={s.verified ? 'teal.9' : 'red.9'} variant="filled">
              {s.verified
                ? 'Verified'
                : `Failed at entry ${s.problem?.seq ?? '?'} (${s.problem?.kind ?? ''})`}
            </Badge>
            <Text size="sm">
              {s.entries} entries, {s.checkpointsChecked} signed checkpoints checked at{' '}
              {s.checkedAt.replace('T', ' ').slice(0, 19)} UTC.
            </Text>
          </Group>
          <Text size="sm" mt={4} data-testid="last-checkpoint">
            {s.lastCheckpoint
              ? `Last checkpoint: ${s.lastCheckpoint.size} entries, signed ${s.lastCheckpoint.signedAt.replace('T', ' ').slice(0, 19)} UTC, root ${s.lastCheckpoint.rootHash.slice(0, 16)}…`
              : 'No checkpoint signed yet.'}
          </Text>
        </Alert>
      )}
    </div>
  );
}
