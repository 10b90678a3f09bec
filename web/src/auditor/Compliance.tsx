import { Badge, Button, Group, Loader, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';

interface Check {
  id: string;
  title: string;
  regulation: string;
  status: 'pass' | 'fail' | 'unknown';
  evidence: string;
  fix: string;
}

interface Report {
  generatedAt: string;
  engine: string;
  checks: Check[];
  summary: Record<Check['status'], number>;
}

// Dark enough for white text at WCAG AA (4.5:1) on every badge.
const STATUS: Record<Check['status'], { label: string; color: string }> = {
  pass: { label: 'Pass', color: '#1b5e20' },
  fail: { label: 'Fail', color: '#a51d1d' },
  unknown: { label: 'Not verifiable here', color: '#6d4c00' },
};

/**
 * The compliance report for auditors (ADR 0031): the same checks as `haven compliance report`,
 * each with the regulation, the evidence (settings, counts and ids, never PHI) and the fix.
 */
export function Compliance() {
  const report = useQuery({
    queryKey: ['compliance-report'],
    queryFn: () => get<Report>('/api/compliance/report'),
  });
  const r = report.data;
  return (
    <SignedInPage title="Compliance report" width={1100}>
      <Text>
        Haven checks its running configuration and data against the HIPAA Security Rule (45 CFR
        164.312) and the safeguards it promises. Failed checks say how to fix them.
      </Text>
      <ProblemAlert error={report.error} title="The report could not be loaded" />
      {report.isLoading && <Loader size="sm" aria-label="Loading" />}
      {r && (
        <>
          <Group gap="sm" aria-label="Summary" role="group">
            <Badge color={STATUS.pass.color}>{r.summary.pass} passed</Badge>
            <Badge color={STATUS.fail.color}>{r.summary.fail} failed</Badge>
            <Badge color={STATUS.unknown.color}>{r.summary.unknown} not verifiable here</Badge>
            <Text size="sm" c="dimmed">
              Checked {new Date(r.generatedAt).toLocaleString()}
            </Text>
            <Button
              variant="default"
              size="xs"
              loading={report.isFetching}
              onClick={() => void report.refetch()}
            >
              Check again
            </Button>
          </Group>
          <Table withTableBorder aria-label="Compliance checks" data-testid="compliance-checks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Safeguard</Table.Th>
                <Table.Th scope="col">Regulation</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
                <Table.Th scope="col">Evidence</Table.Th>
                <Table.Th scope="col">How to fix</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.checks.map((c) => (
                <Table.Tr key={c.id} data-check={c.id} data-status={c.status}>
                  <Table.Td>{c.title}</Table.Td>
                  <Table.Td>{c.regulation}</Table.Td>
                  <Table.Td miw={170}>
                    <Badge color={STATUS[c.status].color}>{STATUS[c.status].label}</Badge>
                  </Table.Td>
                  <Table.Td>{c.evidence}</Table.Td>
                  <Table.Td>{c.status === 'pass' ? '' : c.fix}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </SignedInPage>
  );
}
