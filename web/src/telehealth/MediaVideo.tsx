import { useEffect, useRef } from 'react';

/** A live stream in a <video>; the local preview is muted so nobody hears themselves. */
export function MediaVideo({
  stream,
  label,
  muted,
  small,
  testId,
}: {
  stream: MediaStream | undefined;
  label: string;
  muted?: boolean;
  small?: boolean;
  testId: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream ?? null;
  }, [stream]);
  return (
    <video
      ref={ref}
      autoPlay
      playsInline
      muted={muted}
      aria-label={label}
      data-testid={testId}
      className={small ? 'haven-video-local' : 'haven-video'}
    >
      {/* A live call has no caption file; the track element keeps the media accessible API. */}
      <track kind="captions" />
    </video>
  );
}
