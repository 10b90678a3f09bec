import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startProgress, type ProgressStream } from '../../src/cli/progress.js';

/** A stand-in for stderr that records what is written; a terminal when `tty` is true. */
function fakeStream(tty: boolean): { stream: ProgressStream; written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      written.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  if (tty) {
    stream.isTTY = true;
    stream.columns = 80;
  }
  return { stream, written };
}

async function run(tty: boolean, json?: boolean): Promise<string> {
  const { stream, written } = fakeStream(tty);
  const progress = await startProgress('exporting', 'entries', { json, stream });
  progress.update(3, 10);
  progress.update(10, 10);
  progress.stop();
  await new Promise((r) => setImmediate(r));
  return written.join('');
}

describe('progress bar (issue 14 part 6)', () => {
  it('draws on a terminal, with what is done out of the total', async () => {
    const out = await run(true);
    expect(out).toContain('exporting');
    expect(out).toContain('10/10 entries');
  });

  it('writes nothing when the stream is not a terminal (piped or redirected)', async () => {
    expect(await run(false)).toBe('');
  });

  it('writes nothing with --json, even on a terminal', async () => {
    expect(await run(true, true)).toBe('');
  });
});
