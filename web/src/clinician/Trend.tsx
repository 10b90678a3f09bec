import { LineChart } from '@mantine/charts';
import { Loader, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import { useChartSearch } from './ChartLists';
import { RecordVital } from './RecordVital';
import { dateText, dateTimeText, type Observation } from './fhir';
import { seriesOf } from './trend-series';

/**
 * Observations: a trend chart of one vital sign or lab at a time (Mantine charts over recharts,
 * SVG drawn by React: no <style> element, so it renders under `style-src 'self'`; see ADR 0025),
 * with the same values as a table for anyone not reading the picture.
 */
export function Trend({ patientId }: { patientId: string }) {
  const q = useChartSearch<Observation>(patientId, 'Observation', '&_sort=date');
  const series = seriesOf(q.data ?? []);
  const [picked, setPicked] = useState<string | null>(null);
  const current = series.find((s) => s.key === picked) ?? series[0];
  const data = (current?.points ?? []).map((p) => ({ date: dateText(p.at), value: p.value }));
  return (
    <section aria-labelledby="observations-title">
      <Title order={2} size="h3" id="observations-title" mb="xs">
        Observations
      </Title>
      <ProblemAlert error={q.error} title="Observations could not be loaded" />
      {q.isLoading && <Loader size="sm" aria-label="Loading observations" />}
      {q.data && series.length === 0 && <Text c="dimmed">No vital signs or lab results yet.</Text>}
      {current && (
        <Stack gap="sm">
          <NativeSelect
            label="Trend of"
            value={current.key}
            onChange={(e) => setPicked(e.currentTarget.value)}
            data={series.map((s) => ({
              value: s.key,
              label: `${s.label} (${s.category === 'laboratory' ? 'lab' : 'vital'}, ${s.points.length})`,
            }))}
          />
          <figure className="haven-trend" aria-labelledby="trend-caption" data-testid="trend-chart">
            <figcaption id="trend-caption">
              <Text size="sm" fw={600}>
                {current.label} {current.unit && `(${current.unit})`}
              </Text>
            </figcaption>
            <LineChart
              h={240}
              data={data}
              dataKey="date"
              series={[{ name: 'value', label: current.label, color: 'teal.8' }]}
              curveType="linear"
              withTooltip={false}
              lineProps={{ isAnimationActive: false }}
              yAxisProps={{ domain: ['auto', 'auto'] }}
            />
          </figure>
          <Table withTableBorder aria-label={`${current.label} values`} data-testid="trend-values">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">{current.label}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...current.points].reverse().map((p, i) => (
                <Table.Tr key={`${p.at}-${i}`}>
                  <Table.Td>{dateTimeText(p.at)}</Table.Td>
                  <Table.Td>
                    {Number(p.value.toFixed(2))} {current.unit}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      <RecordVital patientId={patientId} onRecorded={setPicked} />
    </section>
  );
}
