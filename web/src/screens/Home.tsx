import { Anchor, Badge, Group, List, Stack, Text } from '@mantine/core';
import { Link } from 'wouter';
import { AppTokens } from '../admin/AppTokens';
import { usePatientSelf } from '../patient-self';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { Passkeys } from './Passkeys';
import { Sessions } from './Sessions';

const ROLE_NAMES: Record<string, string> = {
  patient: 'Patient',
  physician: 'Physician',
  nurse: 'Nurse',
  lab_assistant: 'Lab assistant',
  scheduler: 'Scheduler',
  admin: 'Administrator',
  auditor: 'Auditor',
};

/** Who is signed in, and what they can do from here. */
export function Home() {
  const { session } = useSession();
  const self = usePatientSelf();
  if (!session) return null;
  const isPatient = session.roles.includes('patient');
  return (
    <SignedInPage title="Welcome to Haven">
      <Stack gap="xs">
        {isPatient && self.data?.name && (
          <Text size="lg" data-testid="person-name">
            {self.data.name}
          </Text>
        )}
        <ProblemAlert error={self.error} title="Your record could not be loaded" />
        <Group gap="xs">
          <Text>Signed in as</Text>
          {session.roles.map((r) => (
            <Badge key={r} variant="filled">
              {ROLE_NAMES[r] ?? r}
            </Badge>
          ))}
        </Group>
        <Text size="sm" c="dimmed">
          Account {session.userId}
        </Text>
      </Stack>
      <List spacing="xs">
        {isPatient && (
          <List.Item>
            <Anchor component={Link} href="/disclosures">
              Who has seen my record
            </Anchor>
          </List.Item>
        )}
        {session.roles.includes('admin') && (
          <List.Item>
            <Anchor component={Link} href="/people">
              People
            </Anchor>
          </List.Item>
        )}
        {session.roles.includes('auditor') && (
          <List.Item>
            <Anchor component={Link} href="/compliance">
              Compliance report
            </Anchor>
          </List.Item>
        )}
        {session.roles.includes('auditor') && (
          <List.Item>
            <Anchor component={Link} href="/auditor/alerts">
              Security alerts
            </Anchor>
          </List.Item>
        )}
        <List.Item>
          <Anchor component={Link} href="/password">
            Change my password
          </Anchor>
        </List.Item>
      </List>
      <Passkeys />
      <Sessions />
      <AppTokens />
    </SignedInPage>
  );
}
