import { Alert, Badge, Button, Checkbox, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiProblem, get, post, request } from '../api';
import { ProblemAlert } from '../ui/ProblemAlert';
import { recordedStream, RecordingUpload } from './recording-upload';

/** GET /api/visits/:id/recording (src/http/schemas/visit.ts). */
interface RecordingStatus {
  enabled: boolean;
  consents: { patient: boolean; clinician: boolean };
  active: { id: string; nextSeq: number; bytes: number; mine: boolean } | null;
  recordings: {
    id: string;
    documentReference: string | null;
    binary: string | null;
    bytes: number;
  }[];
}

const ENDED: Record<string, string> = {
  'no-consent': 'Recording stopped: consent was withdrawn.',
  'not-recording': 'Recording stopped.',
  'too-large': 'Recording stopped: it reached the size limit.',
  failed: 'Recording stopped: Haven could not be reached.',
};

/**
 * Recording a video visit (ADR 0034), loaded only when the installation allows recording. Each
 * side consents (or withdraws) for themselves; the clinician can start only while both consent;
 * the clinician's browser records and uploads; both see that a recording runs. Kept recordings
 * play back from Haven (an audited download, under the record's access policy).
 */
export function VisitRecording({
  room,
  role,
  remote,
  local,
  tick,
}: {
  room: string;
  role: 'patient' | 'clinician';
  remote: MediaStream | undefined;
  local: MediaStream | undefined;
  /** Changes with every room state the server pushes (a consent changed, a recording began). */
  tick: unknown;
}) {
  const base = `/api/visits/${encodeURIComponent(room)}`;
  const status = useQuery({
    queryKey: ['recording', room],
    queryFn: () => get<RecordingStatus>(`${base}/recording`),
    refetchInterval: 5000,
  });
  const { refetch } = status;
  useEffect(() => {
    void refetch();
  }, [tick, refetch]);
  const [problem, setProblem] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const upload = useRef<RecordingUpload>(undefined);
  const [recording, setRecording] = useState(false);
  useEffect(() => () => void upload.current?.stop(), []);

  const s = status.data;
  if (!s) return <ProblemAlert error={status.error} title="Recording is unavailable" />;
  const mine = s.consents[role];
  const theirs = s.consents[role === 'patient' ? 'clinician' : 'patient'];
  const both = s.consents.patient && s.consents.clinician;
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await work();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
      await refetch();
    }
  };

  const start = () => {
    if (!remote) return;
    // The audio mix is made in the click itself: an AudioContext made later may stay suspended.
    const { stream, audio } = recordedStream(remote, local);
    void audio?.resume();
    return act(async () => {
      let id: string;
      try {
        id = (await post<{ id: string }>(`${base}/recordings`)).id;
      } catch (e) {
        await audio?.close();
        throw e;
      }
      const u = new RecordingUpload(
        room,
        id,
        stream,
        (reason) => {
          setRecording(false);
          upload.current = undefined;
          setNotice(ENDED[reason] ?? `Recording stopped (${reason}).`);
          void refetch();
        },
        audio,
      );
      upload.current = u;
      setNotice(undefined);
      setRecording(true);
      u.start(1000);
    });
  };
  const stop = () =>
    act(async () => {
      const u = upload.current;
      const id = s.active?.id;
      upload.current = undefined;
      setRecording(false);
      await u?.stop();
      if (id) await post(`${base}/recordings/${id}/stop`);
    });

  return (
    <Stack gap="xs" data-testid="recording">
      <Title order={2} size="h4">
        Recording
      </Title>
      <Checkbox
        label="I consent to this visit being recorded"
        checked={mine}
        disabled={busy}
        onChange={(e) => {
          const given = e.currentTarget.checked;
          void act(() => request('PUT', `${base}/recording/consent`, { given }));
        }}
      />
      <Text size="sm" data-testid="other-consent">
        {role === 'clinician' ? 'The patient' : 'Your clinician'}{' '}
        {theirs ? 'consents to recording.' : 'has not consented to recording.'}
      </Text>
      {s.active && (
        <Badge color="red" data-testid="recording-on">
          Recording
        </Badge>
      )}
      {role === 'clinician' && (
        <Group>
          <Button
            color="red"
            variant="outline"
            disabled={!both || s.active !== null || recording || busy || !remote}
            onClick={() => void start()}
          >
            Start recording
          </Button>
          <Button disabled={!recording || busy} onClick={() => void stop()}>
            Stop recording
          </Button>
        </Group>
      )}
      {notice && <Alert color="yellow">{notice}</Alert>}
      {problem !== undefined && <ProblemAlert error={problem} title="Recording failed" />}
      {s.recordings
        .filter((r) => r.binary !== null)
        .map((r, i) => (
          <Playback key={r.id} binary={r.binary!} n={i + 1} />
        ))}
    </Stack>
  );
}

/** One kept recording: fetched once on request (one audited download), played from memory. */
function Playback({ binary, n }: { binary: string; n: number }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const load = async () => {
    setError(undefined);
    const res = await fetch(`/fhir/R4/Binary/${encodeURIComponent(binary)}`, {
      headers: { accept: 'video/webm' },
      credentials: 'same-origin',
      cache: 'no-store',
    }).catch(() => undefined);
    if (!res?.ok) {
      setError(
        new ApiProblem(res?.status ?? 0, 'playback', 'The recording cannot be played.', undefined),
      );
      return;
    }
    setUrl(URL.createObjectURL(await res.blob()));
  };
  return (
    <Stack gap={4}>
      {url ? (
        <video
          src={url}
          controls
          aria-label={`Recording ${n}`}
          data-testid="recording-playback"
          className="haven-video-local"
        >
          <track kind="captions" />
        </video>
      ) : (
        <Button variant="light" onClick={() => void load()}>
          Play recording {n}
        </Button>
      )}
      {error !== undefined && <ProblemAlert error={error} title="Playback failed" />}
    </Stack>
  );
}
