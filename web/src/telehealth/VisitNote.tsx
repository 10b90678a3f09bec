import { Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { request } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';

/**
 * A plain draft note beside the video (the full note editor is another screen): a
 * DocumentReference as the shared contract shapes it, preliminary, in the visit's Encounter.
 * Saved again, it updates the same draft.
 */
export function VisitNote({
  patientId,
  practitionerId,
  encounterId,
}: {
  patientId: string;
  practitionerId: string | undefined;
  encounterId: string | null;
}) {
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<{ id: string; at: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(undefined);
    const bytes = new TextEncoder().encode(text);
    const body = {
      resourceType: 'DocumentReference',
      ...(saved && { id: saved.id }),
      status: 'current',
      docStatus: 'preliminary',
      type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
      subject: { reference: `Patient/${patientId}` },
      ...(practitionerId && { author: [{ reference: `Practitioner/${practitionerId}` }] }),
      ...(encounterId && { context: { encounter: [{ reference: `Encounter/${encounterId}` }] } }),
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            data: btoa(String.fromCharCode(...bytes)),
            title: 'Visit note',
          },
        },
      ],
    };
    try {
      const res = saved
        ? await request<{ id: string }>('PUT', `/fhir/R4/DocumentReference/${saved.id}`, body)
        : await request<{ id: string }>('POST', '/fhir/R4/DocumentReference', body);
      setSaved({ id: res.id, at: new Date().toLocaleTimeString() });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Textarea
        label="Visit note (draft)"
        autosize
        minRows={10}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
      />
      <ProblemAlert error={error} title="The note could not be saved" />
      <Group>
        {/* No `loading` spinner: its fading label fails the contrast check while it fades. */}
        <Button onClick={() => void save()} disabled={busy || text.trim() === ''}>
          Save draft
        </Button>
        {saved && <Text size="sm">Draft saved at {saved.at}</Text>}
      </Group>
    </Stack>
  );
}
