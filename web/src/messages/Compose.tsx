import { Button, FileInput, Group, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ProblemAlert } from '../ui/ProblemAlert';
import { ACCEPTED_TYPES, attachmentOf, type NewAttachment } from './messages-api';

export interface Draft {
  subject?: string;
  text: string;
  attachment?: NewAttachment;
}

/**
 * Writing a message: the text, an optional attachment, and for a new thread its subject. The
 * draft lives in this component only and is cleared once sent.
 */
export function Compose({
  withSubject,
  label,
  onSend,
  children,
}: {
  withSubject: boolean;
  label: string;
  onSend: (d: Draft) => Promise<unknown>;
  children?: ReactNode;
}) {
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSend({
        ...(withSubject && { subject }),
        text,
        ...(file && { attachment: await attachmentOf(file) }),
      });
      setSubject('');
      setText('');
      setFile(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={label}>
      <Stack gap="sm">
        {children}
        {withSubject && (
          <TextInput
            label="Subject"
            required
            maxLength={200}
            value={subject}
            onChange={(e) => setSubject(e.currentTarget.value)}
          />
        )}
        <Textarea
          label="Message"
          required
          autosize
          minRows={3}
          maxLength={10_000}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <FileInput
          label="Attachment (optional)"
          description="PDF, PNG, JPEG or plain text"
          accept={ACCEPTED_TYPES.join(',')}
          clearable
          value={file}
          onChange={setFile}
        />
        <ProblemAlert error={error} title="The message was not sent" />
        <Group>
          <Button type="submit" loading={busy}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
