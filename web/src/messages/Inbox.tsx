import { Anchor, Badge, Loader, Select, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { get, post } from '../api';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { Compose, type Draft } from './Compose';
import { INBOX_KEY, useDisplayName, useInbox, type ThreadListing } from './messages-api';

/** The secure-message inbox: threads with unread counts, and a new thread. */
export function Inbox() {
  const { session } = useSession();
  const inbox = useInbox();
  const isPatient = session?.roles.includes('patient') ?? false;
  const unread = inbox.data?.unread ?? 0;
  return (
    <SignedInPage title="Messages" width={860}>
      <Text>
        {isPatient
          ? 'Secure messages between you and your care team.'
          : 'Secure messages with your patients.'}{' '}
        {inbox.data && (
          <span data-testid="unread-total">
            {unread === 0 ? 'Nothing unread.' : `${unread} unread.`}
          </span>
        )}
      </Text>
      <ProblemAlert error={inbox.error} title="Your messages could not be loaded" />
      {inbox.isLoading && <Loader size="sm" aria-label="Loading" />}
      {inbox.data && inbox.data.threads.length === 0 && <Text>No messages yet.</Text>}
      {inbox.data && inbox.data.threads.length > 0 && (
        <Table striped withTableBorder aria-label="Message threads" data-testid="threads">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Subject</Table.Th>
              {!isPatient && <Table.Th scope="col">Patient</Table.Th>}
              <Table.Th scope="col">Messages</Table.Th>
              <Table.Th scope="col">Last message</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {inbox.data.threads.map((t) => (
              <ThreadRow key={t.threadId} thread={t} showPatient={!isPatient} />
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Title order={2} size="h3">
        New message
      </Title>
      <NewThread isPatient={isPatient} />
    </SignedInPage>
  );
}

function ThreadRow({ thread, showPatient }: { thread: ThreadListing; showPatient: boolean }) {
  const patient = useDisplayName(thread.patient);
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor component={Link} href={`/messages/${thread.threadId}`}>
          {thread.subject || '(no subject)'}
        </Anchor>{' '}
        {thread.unread > 0 && (
          <Badge color="red" variant="filled" aria-label={`${thread.unread} unread`}>
            {thread.unread} unread
          </Badge>
        )}
      </Table.Td>
      {showPatient && <Table.Td>{patient}</Table.Td>}
      <Table.Td>{thread.messages}</Table.Td>
      <Table.Td>{new Date(thread.lastSentAt).toLocaleString()}</Table.Td>
    </Table.Tr>
  );
}

interface PatientBundle {
  entry?: {
    resource?: { id: string; name?: { text?: string; given?: string[]; family?: string }[] };
  }[];
}

/** A new thread: a patient writes to their care team; a clinician picks one of their patients. */
function NewThread({ isPatient }: { isPatient: boolean }) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const [patient, setPatient] = useState<string | null>(null);
  const patients = useQuery({
    queryKey: ['message-patients'],
    enabled: !isPatient,
    queryFn: () => get<PatientBundle>('/fhir/R4/Patient?_count=100'),
  });
  const options = (patients.data?.entry ?? []).flatMap((e) => {
    const r = e.resource;
    if (!r) return [];
    const n = r.name?.[0];
    const label = n?.text ?? [...(n?.given ?? []), n?.family ?? ''].join(' ').trim();
    return [{ value: r.id, label: label || r.id }];
  });
  const send = async (d: Draft) => {
    if (!isPatient && !patient) throw new Error('Choose a patient first.');
    const sent = await post<{ threadId: string }>('/api/messages/threads', {
      ...d,
      ...(!isPatient && { patient }),
    });
    await client.invalidateQueries({ queryKey: INBOX_KEY });
    navigate(`/messages/${sent.threadId}`);
  };
  return (
    <Compose withSubject label="New message" onSend={send}>
      {!isPatient && (
        <Select
          label="Patient"
          required
          searchable
          data={options}
          value={patient}
          onChange={setPatient}
          nothingFoundMessage="No patients on your care teams"
        />
      )}
    </Compose>
  );
}
