import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHaven } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { readBundle, syntheaFiles } from '../support/synthea.js';
import { identifiersOf, syntheaResources } from './synthea-identifiers.js';

/** `haven export deidentified` over stored, encrypted records, on both engines. */
describe.each(ENGINES)('haven export deidentified on %s', (engine) => {
  let t: TestServer;
  const files = syntheaFiles().slice(0, 2);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-deid-cli-'));
  let args: (out: string) => string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer(engine, { env: { HAVEN_LOG_LEVEL: 'warn' } });
    for (const f of files)
      expect((await t.request('POST', '/fhir/R4', { body: readBundle(f) })).status).toBe(200);
    args = (out) => [
      'export',
      'deidentified',
      '--out',
      out,
      '--data',
      t.config.dataDir,
      ...(t.config.databaseUrl ? ['--database-url', t.config.databaseUrl] : []),
    ];
    env = t.config.databaseSchema ? { HAVEN_DB_SCHEMA: t.config.databaseSchema } : {};
  }, 120_000);
  afterAll(async () => {
    await t.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes NDJSON per type with none of the stored identifiers, audited', async () => {
    const out = path.join(tmp, 'extract');
    const r = await runHaven([...args(out), '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { counts: Record<string, number> };
    expect(result.counts.Patient).toBe(2);
    const text = fs
      .readdirSync(out)
      .map((f) => fs.readFileSync(path.join(out, f), 'utf8'))
      .join('\n');
    // The server gave every resource a new id: scan for those too.
    const stored: string[] = [];
    for (const type of ['Patient', 'Observation', 'Encounter']) {
      const page = (await t.request('GET', `/fhir/R4/${type}?_count=1000`)).json() as {
        entry: { resource: { id: string } }[];
      };
      stored.push(...page.entry.map((e) => e.resource.id));
    }
    expect(stored.length).toBeGreaterThan(20);
    const leaked = [
      ...identifiersOf(syntheaResources(files)).map((i) => i.value),
      ...stored,
    ].filter((v) => text.includes(v));
    expect(leaked).toEqual([]);
    expect((fs.statSync(out).mode & 0o777).toString(8)).toBe('700');
    const { rows } = await t.haven.auditRepo.search({ action: 'deidentified-export' }, 10, 0);
    expect(rows.map((e) => JSON.parse(e.detail ?? '{}').stage).sort()).toEqual(['done', 'start']);
  });

  it('refuses a non-empty directory with exit code 1 and writes nothing', async () => {
    const out = path.join(tmp, 'busy');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
    const r = await runHaven(args(out), env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/new or empty directory/);
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });
});
