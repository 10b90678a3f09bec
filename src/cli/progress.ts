/**
 * A progress bar for long work (export, verify, archive) that appears only where a person is
 * watching: on a terminal, and not with --json. Piped or redirected output and machine-readable
 * runs get nothing on stderr, and stdout is never touched, so it stays clean for scripts.
 */
export interface Progress {
  /** Sets how much is done out of how much (the total may grow while the work runs). */
  update(done: number, total: number): void;
  stop(): void;
}

/** The stream a bar is drawn on: process.stderr, or a stand-in in tests. */
export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/**
 * Draws "<doing> [bar] done/total <unit>", e.g. "exporting … 5000/12000 entries". cli-progress is
 * loaded only when a bar is drawn, so a piped run does not pay for it.
 */
export async function startProgress(
  doing: string,
  unit: string,
  opts: { json?: boolean; stream?: ProgressStream } = {},
): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  if (opts.json === true || stream.isTTY !== true) return SILENT;
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    format: `${doing} {bar} {value}/{total} ${unit}`,
    stream,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(1, 0);
  return {
    update: (done, total) => {
      bar.setTotal(Math.max(total, 1));
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}
