import { Anchor, Button, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { get, post } from '../api';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { Compose, type Draft } from './Compose';
import { INBOX_KEY, useDisplayName, type Message, type Thread } from './messages-api';

/** One thread: its messages in order with who has read each, and a reply. */
export function ThreadView() {
  const { id } = useParams<{ id: string }>();
  const client = useQueryClient();
  const thread = useQuery({
    queryKey: ['messages', 'thread', id],
    queryFn: async () => {
      const t = await get<Thread>(`/api/messages/threads/${encodeURIComponent(id)}`);
      // Opening the thread marked it read: the inbox's counts are stale now.
      void client.invalidateQueries({ queryKey: INBOX_KEY });
      return t;
    },
  });
  const reply = async (d: Draft) => {
    await post(`/api/messages/threads/${encodeURIComponent(id)}/messages`, d);
    await client.invalidateQueries({ queryKey: ['messages'] });
  };
  return (
    <SignedInPage title={thread.data?.subject || 'Message thread'} width={860}>
      <Anchor component={Link} href="/messages">
        Back to messages
      </Anchor>
      <ProblemAlert error={thread.error} title="This thread could not be loaded" />
      {thread.isLoading && <Loader size="sm" aria-label="Loading" />}
      {thread.data && (
        <Stack gap="sm" component="ol" aria-label="Messages" data-testid="messages" p={0}>
          {thread.data.messages.map((m) => (
            <MessageItem key={m.id} message={m} />
          ))}
        </Stack>
      )}
      {thread.data && (
        <>
          <Title order={2} size="h3">
            Reply
          </Title>
          <Compose withSubject={false} label="Reply" onSend={reply} />
        </>
      )}
    </SignedInPage>
  );
}

function MessageItem({ message }: { message: Message }) {
  const sender = useDisplayName(message.sender);
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      bg={message.mine ? 'var(--mantine-color-blue-light)' : undefined}
      style={{ listStyle: 'none' }}
      data-testid="message"
    >
      <Group justify="space-between" gap="xs">
        <Text fw={700}>{message.mine ? 'You' : sender}</Text>
        <Text size="sm">{new Date(message.sentAt).toLocaleString()}</Text>
      </Group>
      <Text style={{ whiteSpace: 'pre-wrap' }} data-testid="message-text">
        {message.text}
      </Text>
      {message.attachment && <AttachmentLink messageId={message.id} {...message.attachment} />}
      <Receipts message={message} />
    </Paper>
  );
}

function Receipts({ message }: { message: Message }) {
  if (message.readBy.length === 0)
    return (
      <Text size="sm" data-testid="receipt">
        {message.mine ? 'Not read yet' : ''}
      </Text>
    );
  return (
    <Stack gap={0}>
      {message.readBy.map((r) => (
        <ReceiptLine key={r.readerId} reader={r.reader} readerId={r.readerId} at={r.readAt} />
      ))}
    </Stack>
  );
}

function ReceiptLine({ reader, readerId, at }: { reader: string; readerId: string; at: string }) {
  const { session } = useSession();
  const other = useDisplayName(reader);
  const name = readerId === session?.userId ? 'you' : other;
  return (
    <Text size="sm" data-testid="receipt">
      Read by {name} at {new Date(at).toLocaleString()}
    </Text>
  );
}

function AttachmentLink({
  messageId,
  title,
  size,
}: {
  messageId: string;
  title: string;
  size: number;
}) {
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setError(null);
    try {
      const a = await get<{ contentType: string; title: string; data: string }>(
        `/api/messages/${encodeURIComponent(messageId)}/attachment`,
      );
      const bytes = Uint8Array.from(atob(a.data), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: a.contentType }));
      const link = document.createElement('a');
      link.href = url;
      link.download = a.title;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Button variant="default" size="xs" mt="xs" onClick={() => void download()}>
        Download {title} ({Math.max(1, Math.round(size / 1024))} KB)
      </Button>
      <ProblemAlert error={error} title="The attachment could not be downloaded" />
    </>
  );
}
