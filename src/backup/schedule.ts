import fs from 'node:fs';
import path from 'node:path';

const FILE = /^haven-backup-(\d{8}T\d{6}Z)\.hvb$/;

/** `24h`, `90m`, `7d` → milliseconds (at least one minute). */
export function parseInterval(text: string): number {
  const m = /^(\d{1,5})([mhd])$/.exec(text.trim());
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Number(m[1]) * unit[m[2] as keyof typeof unit] : NaN;
  if (!Number.isFinite(ms) || ms < 60_000) {
    throw new RangeError(`"${text}" is not an interval such as 24h, 90m or 7d (at least 1m)`);
  }
  return ms;
}

/** haven-backup-20261206T021500Z.hvb: sorts by time, and a partial file never matches. */
export function backupFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `haven-backup-${stamp}.hvb`;
}

/** Deletes all but the newest `keep` backups in `dir`; returns the names deleted. */
export function pruneBackups(dir: string, keep: number): string[] {
  const names = fs
    .readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const f of old) fs.rmSync(path.join(dir, f), { force: true });
  return old;
}

export interface ScheduleOptions {
  dir: string;
  everyMs: number;
  keep: number;
  clock: () => Date;
  /** Takes one backup into `file` (the caller writes the audit entry). */
  run: (file: string) => Promise<unknown>;
  /** Told of a failed run (the next one is still attempted at its time). */
  onError: (e: unknown) => void;
}

/**
 * `haven serve --backup-every 24h --backup-keep 30`. The decision "is a backup due" reads the
 * injected clock; the server polls `runDue` each minute. The first backup is due one interval
 * after the newest one already in the folder (or at once when there is none), so a restart
 * neither skips nor doubles a backup. Runs never overlap.
 */
export class BackupSchedule {
  #running: Promise<string | undefined> | undefined;

  constructor(private readonly o: ScheduleOptions) {
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  }

  /** When the next backup is due. */
  nextDue(): Date {
    const newest = fs
      .readdirSync(this.o.dir)
      .map((f) => FILE.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort()
      .at(-1);
    if (newest === undefined) return new Date(0);
    const at = Date.parse(
      `${newest.slice(0, 4)}-${newest.slice(4, 6)}-${newest.slice(6, 8)}T${newest.slice(9, 11)}:${newest.slice(11, 13)}:${newest.slice(13, 15)}Z`,
    );
    return new Date(at + this.o.everyMs);
  }

  /** Takes a backup if one is due now; resolves to its file name, or undefined. */
  runDue(): Promise<string | undefined> {
    this.#running ??= this.#runIfDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #runIfDue(): Promise<string | undefined> {
    const now = this.o.clock();
    if (now.getTime() < this.nextDue().getTime()) return undefined;
    const name = backupFileName(now);
    try {
      await this.o.run(path.join(this.o.dir, name));
      pruneBackups(this.o.dir, this.o.keep);
      return name;
    } catch (e) {
      this.o.onError(e);
      return undefined;
    }
  }
}
