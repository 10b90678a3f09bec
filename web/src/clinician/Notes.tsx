import {
  Badge,
  Button,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '../session/SessionProvider';
import { ProblemAlert } from '../ui/ProblemAlert';
import { isProgressNote, useChartSearch } from './ChartLists';
import { create, dateTimeText, noteText, update, type DocumentReference } from './fhir';
import { noteErrors, noteResource } from './note-resource';
import { chartKey } from './open-patient';

type Mode =
  | { kind: 'new' }
  | { kind: 'edit'; note: DocumentReference }
  | { kind: 'correct'; note: DocumentReference };

/**
 * Notes: write, save as a draft, sign. A signed note is final — the server refuses to change it
 * (src/records/final-note.ts) and the refusal is shown with its request id; a correction is a
 * new signed note that replaces it, the old one then marked superseded.
 */
export function Notes({ patientId }: { patientId: string }) {
  const q = useChartSearch<DocumentReference>(patientId, 'DocumentReference');
  const [mode, setMode] = useState<Mode | null>(null);
  const notes = (q.data ?? [])
    .filter(isProgressNote)
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
  return (
    <section aria-labelledby="notes-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h3" id="notes-title">
          Notes
        </Title>
        {mode === null && <Button onClick={() => setMode({ kind: 'new' })}>Write a note</Button>}
      </Group>
      {mode && (
        <NoteEditor
          key={`${mode.kind}-${'note' in mode ? mode.note.id : ''}`}
          patientId={patientId}
          mode={mode}
          onDone={() => setMode(null)}
        />
      )}
      <ProblemAlert error={q.error} title="Notes could not be loaded" />
      {q.isLoading && <Loader size="sm" aria-label="Loading notes" />}
      {q.data && notes.length === 0 && <Text c="dimmed">No notes yet.</Text>}
      <Stack gap="sm" mt="sm" data-testid="notes">
        {notes.map((n) => (
          <NoteCard key={n.id} note={n} onEdit={(kind) => setMode({ kind, note: n })} />
        ))}
      </Stack>
    </section>
  );
}

function NoteCard({
  note,
  onEdit,
}: {
  note: DocumentReference;
  onEdit: (kind: 'edit' | 'correct') => void;
}) {
  const title = note.content?.[0]?.attachment?.title ?? 'Progress note';
  const signed = note.docStatus === 'final';
  const superseded = note.status === 'superseded';
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      data-testid="note"
      aria-label={`Note: ${title}`}
      component="article"
    >
      <Group justify="space-between" mb={4}>
        <Text fw={700}>{title}</Text>
        <Badge color={superseded ? 'gray' : signed ? 'teal' : 'indigo'} variant="filled">
          {superseded ? 'Superseded' : signed ? 'Signed' : 'Draft'}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {dateTimeText(note.date ?? note.meta?.lastUpdated)}
        {signed && note.authenticator?.reference && ` · signed by ${note.authenticator.reference}`}
      </Text>
      <Text className="haven-note-text">{noteText(note)}</Text>
      {!superseded && (
        <Group gap="xs" mt="sm">
          <Button size="xs" variant="default" onClick={() => onEdit('edit')}>
            {signed ? 'Edit' : 'Edit draft'}
            <span className="haven-sr-only"> {title}</span>
          </Button>
          {signed && (
            <Button size="xs" variant="default" onClick={() => onEdit('correct')}>
              Write a correction<span className="haven-sr-only"> of {title}</span>
            </Button>
          )}
        </Group>
      )}
    </Paper>
  );
}

function NoteEditor({
  patientId,
  mode,
  onDone,
}: {
  patientId: string;
  mode: Mode;
  onDone: () => void;
}) {
  const { session } = useSession();
  const queryClient = useQueryClient();
  const original = mode.kind === 'new' ? undefined : mode.note;
  const [title, setTitle] = useState(
    original
      ? `${mode.kind === 'correct' ? 'Correction: ' : ''}${original.content?.[0]?.attachment?.title ?? ''}`
      : 'Progress note',
  );
  const [text, setText] = useState(original ? noteText(original) : '');
  const [errors, setErrors] = useState<{ title?: string; text?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const practitionerId = session?.practitionerId;
  const editingSigned = mode.kind === 'edit' && mode.note.docStatus === 'final';

  const save = async (sign: boolean) => {
    const bad = noteErrors(title, text);
    setErrors(bad);
    if (Object.keys(bad).length > 0 || !practitionerId) return;
    setBusy(true);
    setError(null);
    try {
      const at = new Date();
      const common = { patientId, practitionerId, title, text, at };
      if (mode.kind === 'new') {
        await create(noteResource({ ...common, sign }));
      } else if (mode.kind === 'edit') {
        // A signed note keeps docStatus final here: the server, not the page, has the last word.
        const keepSigned = mode.note.docStatus === 'final';
        await update(noteResource({ ...common, base: mode.note, sign: sign || keepSigned }));
      } else {
        await create(
          noteResource({
            ...common,
            sign: true,
            base: {
              relatesTo: [
                { code: 'replaces', target: { reference: `DocumentReference/${mode.note.id}` } },
              ],
            },
          }),
        );
        await update({ ...mode.note, status: 'superseded' });
      }
      await queryClient.invalidateQueries({ queryKey: chartKey(patientId, 'DocumentReference') });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save(true);
  };
  const heading =
    mode.kind === 'new'
      ? 'New note'
      : mode.kind === 'correct'
        ? 'Correct a signed note'
        : 'Edit note';
  return (
    <Paper withBorder p="md" radius="md" mb="sm">
      <form onSubmit={submit} aria-labelledby="note-editor-title" noValidate>
        <Stack gap="sm">
          <Title order={3} size="h4" id="note-editor-title">
            {heading}
          </Title>
          {!practitionerId && (
            <ProblemAlert
              error={new Error('no practitioner')}
              title="Your account is not linked to a practitioner record, so you cannot sign notes"
            />
          )}
          {editingSigned && (
            <Text size="sm" c="dimmed">
              This note is signed. Haven keeps signed notes final; write a correction instead.
            </Text>
          )}
          <TextInput
            label="Title"
            value={title}
            error={errors.title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            required
          />
          <Textarea
            label="Note"
            value={text}
            error={errors.text}
            onChange={(e) => setText(e.currentTarget.value)}
            minRows={6}
            autosize={false}
            required
          />
          <ProblemAlert error={error} title="The note was not saved" />
          <Group gap="sm">
            <Button type="submit" loading={busy} disabled={!practitionerId}>
              {editingSigned ? 'Save changes' : 'Sign note'}
            </Button>
            {mode.kind !== 'correct' && !editingSigned && (
              <Button
                variant="default"
                loading={busy}
                disabled={!practitionerId}
                onClick={() => void save(false)}
              >
                Save draft
              </Button>
            )}
            <Button variant="subtle" onClick={onDone}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
