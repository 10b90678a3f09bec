import { List, Loader, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { resourcesOf, valueText, type Bundle, type Observation } from '../patient/fhir-display';
import { ProblemAlert } from '../ui/ProblemAlert';

/** Every version of one result, newest first: a correction never erases what was recorded. */
export function ResultHistory({ observationId }: { observationId: string }) {
  const history = useQuery({
    queryKey: ['lab-history', observationId],
    queryFn: () =>
      get<Bundle<Observation>>(
        `/fhir/R4/Observation/${encodeURIComponent(observationId)}/_history`,
      ),
  });
  const versions = resourcesOf(history.data);
  return (
    <div data-testid="result-history">
      <Text fw={600}>History of this result</Text>
      <ProblemAlert error={history.error} title="The history could not be loaded" />
      {history.isLoading && <Loader size="sm" aria-label="Loading" />}
      <List>
        {versions.map((v) => (
          <List.Item key={v.meta?.versionId}>
            Version {v.meta?.versionId}: {valueText(v)} ({v.status})
            {v.meta?.lastUpdated
              ? `, recorded ${new Date(v.meta.lastUpdated).toLocaleString()}`
              : ''}
          </List.Item>
        ))}
      </List>
    </div>
  );
}
