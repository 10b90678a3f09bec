import { Alert, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useParams } from 'wouter';
import { ProblemAlert } from '../ui/ProblemAlert';
import { SignedInPage } from '../ui/SignedInPage';
import { MediaVideo } from './MediaVideo';
import { useCallKeepAlive } from './use-call-keep-alive';
import { useVisitCall } from './use-visit-call';
import { visitInfo, type VisitInfo } from './visit-api';
import { VisitNote } from './VisitNote';
import './visit.css';

/** Recording code loads only in a visit of an installation that allows recording (ADR 0034). */
const VisitRecording = lazy(() =>
  import('./VisitRecording').then((m) => ({ default: m.VisitRecording })),
);

/**
 * A video visit, /visit/:appointmentId. The patient first tests camera and microphone, then
 * waits; the clinician sees them waiting and admits them; the call runs peer to peer; either
 * side hangs up for both. `?ice=relay` forces the media through TURN (a network that allows
 * nothing else, and the TURN test).
 */
export function Visit() {
  const { id = '' } = useParams<{ id: string }>();
  const info = useQuery({ queryKey: ['visit', id], queryFn: () => visitInfo(id) });
  const [stream, setStream] = useState<MediaStream>();
  const [mediaError, setMediaError] = useState<string>();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let got: MediaStream | undefined;
    navigator.mediaDevices
      .getUserMedia({ video: true, audio: true })
      .then((s) => setStream((got = s)))
      .catch(() => setMediaError('Haven could not use your camera or microphone.'));
    return () => got?.getTracks().forEach((t) => t.stop());
  }, []);
  if (info.error || !info.data)
    return (
      <SignedInPage title="Video visit">
        <ProblemAlert error={info.error} title="This visit cannot be opened" />
        {info.isLoading && <Loader size="sm" aria-label="Loading" />}
      </SignedInPage>
    );
  const clinician = info.data.role === 'clinician';
  if (!clinician && !ready)
    return (
      <SignedInPage title="Check your camera and microphone">
        <Text>Before you enter the waiting room, check that you can see yourself.</Text>
        {mediaError && <Alert color="red">{mediaError}</Alert>}
        <MediaVideo stream={stream} label="Your camera" muted small testId="preview" />
        {stream && (
          <Text data-testid="device-check">
            Camera: {stream.getVideoTracks().length > 0 ? 'working' : 'not found'} · Microphone:{' '}
            {stream.getAudioTracks().length > 0 ? 'working' : 'not found'}
          </Text>
        )}
        <Button disabled={!stream} onClick={() => setReady(true)}>
          Enter the waiting room
        </Button>
      </SignedInPage>
    );
  return <Call room={id} info={info.data} stream={stream} />;
}

function Call({
  room,
  info,
  stream,
}: {
  room: string;
  info: VisitInfo;
  stream: MediaStream | undefined;
}) {
  const relay = new URLSearchParams(location.search).get('ice') === 'relay';
  const call = useVisitCall(room, stream, relay);
  const clinician = info.role === 'clinician';
  const s = call.state;
  useCallKeepAlive(s?.admitted === true && !call.ended);
  if (call.ended)
    return (
      <SignedInPage title="Video visit">
        <Alert color="blue" title="The visit has ended" data-testid="visit-ended">
          The call is over for both of you.
        </Alert>
      </SignedInPage>
    );
  const inCall = s?.admitted === true;
  const title = inCall ? 'Video visit' : clinician ? 'Patient waiting room' : 'Waiting room';
  return (
    <SignedInPage title={title} width={1100}>
      {call.problem && <Alert color="red">{call.problem}</Alert>}
      {!s && <Loader size="sm" aria-label="Connecting" />}
      {s && !inCall && !clinician && (
        <Text data-testid="waiting">
          You are in the waiting room. Your clinician will let you in shortly.
        </Text>
      )}
      {s && !inCall && clinician && (
        <Group>
          <Text data-testid="patient-status">
            {s.patientPresent ? 'The patient is waiting.' : 'The patient has not arrived yet.'}
          </Text>
          <Button disabled={!s.patientPresent} onClick={call.admit}>
            Admit the patient
          </Button>
        </Group>
      )}
      <div className={clinician && inCall ? 'haven-visit-grid' : undefined}>
        <Stack gap="xs">
          {inCall && (
            <MediaVideo
              stream={call.remote}
              label={clinician ? 'The patient' : 'Your clinician'}
              testId="remote-video"
            />
          )}
          <MediaVideo stream={stream} label="You" muted small testId="local-video" />
          {inCall && !(clinician ? s.patientPresent : s.clinicianPresent) && (
            <Text>The other side lost its connection; waiting for them to come back.</Text>
          )}
          <Group>
            <Button color="red" onClick={call.hangup}>
              {inCall ? 'Hang up' : 'Leave'}
            </Button>
          </Group>
          {inCall && info.recording && (
            <Suspense fallback={<Loader size="sm" aria-label="Loading recording" />}>
              <VisitRecording
                room={room}
                role={info.role}
                remote={call.remote}
                local={stream}
                tick={s}
              />
            </Suspense>
          )}
        </Stack>
        {clinician && inCall && (
          <Stack gap="xs">
            <Title order={2} size="h4">
              Note
            </Title>
            <VisitNote
              patientId={info.patientId}
              practitionerId={
                info.practitionerIds.length === 1 ? info.practitionerIds[0] : undefined
              }
              encounterId={s.encounterId}
            />
          </Stack>
        )}
      </div>
    </SignedInPage>
  );
}
