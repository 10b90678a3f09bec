import {
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';

interface AlertView {
  id: string;
  rule: string;
  severity: string;
  userId: string | null;
  patientId: string | null;
  ref: string | null;
  firstSeen: string;
  lastSeen: string;
  count: number;
  status: 'open' | 'acknowledged';
  ackBy: string | null;
  ackAt: string | null;
  ackComment: string | null;
}

/** What each rule means, in the words a privacy officer would use (docs/alerts.md). */
export const RULE_NAMES: Record<string, string> = {
  volume: 'Many records opened',
  'vip-access': 'VIP chart read',
  'same-surname': 'Same surname as the patient',
  'break-glass': 'Emergency access (break-glass)',
  'failed-logins-account': 'Failed sign-ins (account)',
  'failed-logins-address': 'Failed sign-ins (address)',
  'after-hours': 'After-hours access',
  'no-care-relation': 'No care relationship',
  'mass-export': 'Mass export',
  'search-sweep': 'Search sweep',
  'privilege-request': 'Privilege change requested',
  'privilege-granted': 'Privilege change approved',
  'alerts-dropped': 'Alert rules fell behind (entries not checked)',
};

const SEVERITY_COLOR: Record<string, string> = { high: 'red.9', medium: 'grape.9', low: 'dark.6' };

/** The auditor's alerts: what the anomaly rules raised, filtered, and acknowledged with a comment. */
export function Alerts() {
  const [status, setStatus] = useState('open');
  const [rule, setRule] = useState('');
  const [acking, setAcking] = useState<AlertView | undefined>();
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (rule) query.set('rule', rule);
  const list = useQuery({
    queryKey: ['alerts', status, rule],
    queryFn: () => get<{ alerts: AlertView[] }>(`/api/alerts?${query.toString()}`),
  });
  const rows = list.data?.alerts ?? [];
  return (
    <SignedInPage title="Security alerts" width={1100}>
      <Text>
        Alerts name people and records by id only. Open the audit trail for the details, then
        acknowledge the alert with what you checked.
      </Text>
      <Group>
        <NativeSelect
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value)}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'acknowledged', label: 'Acknowledged' },
            { value: '', label: 'Any' },
          ]}
        />
        <NativeSelect
          label="Rule"
          value={rule}
          onChange={(e) => setRule(e.currentTarget.value)}
          data={[
            { value: '', label: 'Any' },
            ...Object.entries(RULE_NAMES).map(([value, label]) => ({ value, label })),
          ]}
        />
      </Group>
      <ProblemAlert error={list.error} title="The alerts could not be loaded" />
      {list.isLoading && <Loader size="sm" aria-label="Loading" />}
      {list.data && rows.length === 0 && <Text>No alerts match.</Text>}
      {rows.length > 0 && (
        <Table striped withTableBorder aria-label="Security alerts" data-testid="alerts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Rule</Table.Th>
              <Table.Th scope="col">Severity</Table.Th>
              <Table.Th scope="col">Person</Table.Th>
              <Table.Th scope="col">Patient</Table.Th>
              <Table.Th scope="col">Last seen</Table.Th>
              <Table.Th scope="col">Count</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((a) => (
              <Table.Tr key={a.id} data-alert={a.id}>
                <Table.Td>{RULE_NAMES[a.rule] ?? a.rule}</Table.Td>
                <Table.Td>
                  <Badge color={SEVERITY_COLOR[a.severity] ?? 'dark.6'}>{a.severity}</Badge>
                </Table.Td>
                <Table.Td>{a.userId ?? a.ref ?? ''}</Table.Td>
                <Table.Td>{a.patientId ?? ''}</Table.Td>
                <Table.Td>{new Date(a.lastSeen).toLocaleString()}</Table.Td>
                <Table.Td>{a.count}</Table.Td>
                <Table.Td>
                  {a.status === 'open' ? (
                    <Button size="xs" onClick={() => setAcking(a)}>
                      Acknowledge
                    </Button>
                  ) : (
                    <Text size="sm" title={a.ackComment ?? ''}>
                      Acknowledged by {a.ackBy}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {acking && <Acknowledge alert={acking} onClose={() => setAcking(undefined)} />}
    </SignedInPage>
  );
}

function Acknowledge({ alert, onClose }: { alert: AlertView; onClose: () => void }) {
  const [comment, setComment] = useState('');
  const client = useQueryClient();
  const ack = useMutation({
    mutationFn: () => post(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { comment }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['alerts'] });
      onClose();
    },
  });
  return (
    // Not a Modal: its scroll lock injects a <style> the CSP refuses (as web/src/admin/reauth.tsx).
    <Paper withBorder p="md">
      <form
        aria-label={`Acknowledge: ${RULE_NAMES[alert.rule] ?? alert.rule}`}
        onSubmit={(e) => {
          e.preventDefault();
          ack.mutate();
        }}
      >
        <Stack>
          <Text fw={600}>Acknowledge: {RULE_NAMES[alert.rule] ?? alert.rule}</Text>
          <Textarea
            autoFocus
            label="What did you check, and what did you find?"
            description="Stays with the alert in Haven; do not paste record contents."
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            minLength={3}
            maxLength={1000}
            required
            autosize
            minRows={3}
          />
          <ProblemAlert error={ack.error} title="The alert could not be acknowledged" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={ack.isPending}>
              Acknowledge
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
