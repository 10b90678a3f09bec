/**
 * A progress bar for key rotation, drawn only on a terminal and never with --json (stdout stays
 * clean for scripts). Same shape as the shared src/cli/progress.ts being added on another branch;
 * once merged, this file can give way to it.
 */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export async function startProgress(
  doing: string,
  unit: string,
  opts: { json?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {},
): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  if (opts.json === true || stream.isTTY !== true) return SILENT;
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    format: `${doing} {bar} {value}/{total} ${unit}`,
    stream,
    hideCursor: true,
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
