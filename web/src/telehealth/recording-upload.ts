import { ApiProblem, post } from '../api';

const FIRST_CHUNK_MIN_BYTES = 1024;

/** A chunk refusal that means: the recording is over (consent withdrawn, stopped, the visit ended). */
const FINAL = new Set([
  'no-consent',
  'not-recording',
  'not-found',
  'ended',
  'not-admitted',
  'recording-off',
  'too-large',
]);

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * Records a stream with MediaRecorder and uploads each timeslice in order, one at a time, as
 * chunk 0, 1, 2… (ADR 0034). A transient failure (network, 503) is retried; a refusal that ends
 * the recording stops the recorder and reports why.
 */
export class RecordingUpload {
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();
  private recorder: MediaRecorder;
  private over = false;
  private audio: AudioContext | undefined;
  /** Slices held back until the first chunk is large enough to carry the WebM header. */
  private first: Blob[] | undefined = [];

  constructor(
    private readonly room: string,
    private readonly id: string,
    stream: MediaStream,
    private readonly onEnd: (reason: 'stopped' | string) => void,
    audio?: AudioContext,
  ) {
    this.audio = audio;
    const mimeType = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) =>
      MediaRecorder.isTypeSupported(t),
    );
    this.recorder = new MediaRecorder(stream, {
      ...(mimeType && { mimeType }),
      videoBitsPerSecond: 500_000,
    });
    this.recorder.onerror = (e) => {
      this.over = true;
      this.onEnd(`recorder-${(e as Event & { error?: DOMException }).error?.name ?? 'error'}`);
    };
    this.recorder.ondataavailable = (e) => {
      if (e.data.size === 0) return;
      // Chromium may hand over the first bytes of the WebM header in a slice of their own;
      // the first chunk sent holds at least the whole header (Haven checks it).
      if (this.first !== undefined) {
        this.first.push(e.data);
        const size = this.first.reduce((n, b) => n + b.size, 0);
        if (size < FIRST_CHUNK_MIN_BYTES && this.recorder.state !== 'inactive') return;
        const blob = new Blob(this.first, { type: e.data.type });
        this.first = undefined;
        this.queue = this.queue.then(() => this.upload(blob));
        return;
      }
      this.queue = this.queue.then(() => this.upload(e.data));
    };
  }

  start(timesliceMs: number): void {
    this.recorder.start(timesliceMs);
  }

  /** Stops recording; resolves once every chunk is uploaded (or the upload gave up). */
  async stop(): Promise<void> {
    if (this.recorder.state !== 'inactive') {
      const stopped = new Promise((r) => (this.recorder.onstop = r));
      this.recorder.stop();
      await stopped;
    }
    // A very short recording: what was held back goes now.
    const held = this.first;
    this.first = undefined;
    if (held && held.length > 0) {
      const blob = new Blob(held, { type: held[0]!.type });
      this.queue = this.queue.then(() => this.upload(blob));
    }
    await this.queue;
    await this.audio?.close().catch(() => undefined);
  }

  private async upload(blob: Blob): Promise<void> {
    if (this.over) return;
    const data = base64(new Uint8Array(await blob.arrayBuffer()));
    const path = `/api/visits/${encodeURIComponent(this.room)}/recordings/${this.id}/chunks`;
    for (let attempt = 0; ; attempt++) {
      try {
        await post(path, { seq: this.seq, data });
        this.seq++;
        return;
      } catch (e) {
        const code = e instanceof ApiProblem ? e.code : 'error';
        const transient = !(e instanceof ApiProblem) || e.status === 0 || e.status >= 500;
        if (transient && attempt < 3) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        this.over = true;
        if (this.recorder.state !== 'inactive') this.recorder.stop();
        this.onEnd(FINAL.has(code) ? code : 'failed');
        return;
      }
    }
  }
}

/**
 * What is recorded: the other side's video, and both voices mixed into one audio track.
 */
export function recordedStream(
  remote: MediaStream,
  local: MediaStream | undefined,
): { stream: MediaStream; audio: AudioContext | undefined } {
  const voices = [remote, local].filter(
    (s): s is MediaStream => s !== undefined && s.getAudioTracks().length > 0,
  );
  if (voices.length === 0)
    return { stream: new MediaStream(remote.getVideoTracks()), audio: undefined };
  const audio = new AudioContext();
  const mix = audio.createMediaStreamDestination();
  for (const s of voices) audio.createMediaStreamSource(s).connect(mix);
  return {
    stream: new MediaStream([...remote.getVideoTracks(), ...mix.stream.getAudioTracks()]),
    audio,
  };
}
