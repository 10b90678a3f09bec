/** The machine a run was measured on. */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  postgres?: string;
}

export async function describeMachine(databaseUrl: string | undefined): Promise<Machine> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel =
      /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
      cpuModel;
  } catch {
    // not Linux: keep os.cpus()
  }
  const m: Machine = {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    try {
      await client.connect();
      const r = await client.query<{ server_version: string }>('SHOW server_version');
      m.postgres = r.rows[0]?.server_version;
    } catch {
      // reported by the PostgreSQL run itself
    } finally {
      await client.end().catch(() => {});
    }
  }
  return m;
}
