import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoBundleFiles,
  openHaven,
  seedDemoClinic,
  type DemoClinic,
  type Haven,
} from '../../src/app/index.js';
import { USER_ROLES } from '../../src/auth/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES, makeTarget, type EngineTarget } from '../support/engines.js';
import { readBundle, SYNTHEA_DIR, syntheaFiles } from '../support/synthea.js';

const PATIENTS = 3;

/**
 * `haven demo` on a fresh installation of each engine: the records it writes are the Synthea
 * bundles' entries plus its own few, there is one enrolled person per role, the sign-in details
 * reach stdout and nothing else (not the log on stderr, not a file of the installation), the
 * log carries no patient data, and a second or parallel run is refused and changes nothing.
 */
describe.each(ENGINES)('haven demo on %s', (engine) => {
  let target: EngineTarget;
  let env: Record<string, string>;
  let base: string[];
  let run: { code: number; stdout: string; stderr: string };
  let clinic: DemoClinic;

  const open = (): Promise<Haven> =>
    openHaven(
      resolveConfig(
        { data: target.dataDir, databaseUrl: target.databaseUrl, databaseSchema: target.schema },
        {},
      ),
      { logger: createLogger('silent') },
    );

  beforeAll(async () => {
    target = await makeTarget(engine);
    env = {
      HAVEN_LOG_LEVEL: 'debug',
      ...(target.schema ? { HAVEN_DB_SCHEMA: target.schema } : {}),
    };
    base = [
      '--data',
      target.dataDir,
      ...(target.databaseUrl ? ['--database-url', target.databaseUrl] : []),
    ];
    expect((await runHaven(['init', ...base], env)).code).toBe(0);
    const args = ['demo', ...base, '--synthea', SYNTHEA_DIR, '--patients', String(PATIENTS)];
    run = await runHaven([...args, '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    clinic = JSON.parse(run.stdout) as DemoClinic;
  }, 240_000);
  afterAll(async () => target.cleanup());

  it('writes every entry of the chosen bundles plus its own records', async () => {
    const files = syntheaFiles().slice(0, PATIENTS);
    const bundles = files.map(readBundle);
    const fromBundles = bundles.reduce((n, b) => n + b.entry.length, 0);
    // Two practitioners, a care team and a lab order per patient (up to 4 and 3), two notes.
    const own = 2 + Math.min(4, PATIENTS) + Math.min(3, PATIENTS) + 2;
    expect(clinic.bundles.map((f) => path.basename(f))).toEqual(files.map((f) => path.basename(f)));
    const haven = await open();
    try {
      expect(await haven.records.resources.countLive()).toBe(fromBundles + own);
      expect(clinic.resources).toBe(fromBundles + own);
      const patientIds = bundles.map(
        (b) => b.entry.find((e) => e.resource.resourceType === 'Patient')!.resource.id,
      );
      expect(clinic.patients).toEqual(patientIds);
      for (const [i, id] of patientIds.entries()) {
        const owned = await haven.records.resources.idsByOwner(`Patient/${id}`, ['Observation']);
        const inBundle = bundles[i]!.entry.filter(
          (e) => e.resource.resourceType === 'Observation',
        ).length;
        expect(owned).toHaveLength(inBundle);
      }
    } finally {
      await haven.close();
    }
  });

  it('adds one enrolled person per role, the patient linked to an imported patient', async () => {
    const haven = await open();
    try {
      const users = await haven.people.users.list();
      expect(users.map((u) => u.roles).sort()).toEqual(USER_ROLES.map((r) => [r]).sort());
      expect(users.every((u) => u.status === 'active' && u.mfaConfigured)).toBe(true);
      const patient = users.find((u) => u.roles.includes('patient'))!;
      expect(clinic.patients).toContain(patient.patientId);
      expect(patient.patientId).toBe(clinic.patientPerson);
      expect(users.find((u) => u.roles.includes('physician'))!.practitionerId).toBe(
        'demo-physician',
      );
    } finally {
      await haven.close();
    }
  });

  it('shows sign-in details on stdout only: not in the log, not in any file', async () => {
    const secrets = clinic.people.flatMap((p) => [p.password, p.totpSecret, ...p.recoveryCodes]);
    expect(secrets).toHaveLength(7 * 12);
    for (const s of secrets) expect(run.stdout).toContain(s);
    // The log (stderr, at debug) is there, and holds none of them.
    expect(run.stderr).toMatch(/"event":"demo-seeded"/);
    for (const s of secrets) expect(run.stderr).not.toContain(s);
    const files = fs.readdirSync(target.dataDir, { recursive: true, withFileTypes: true });
    const texts = files
      .filter((f) => f.isFile())
      .map((f) => fs.readFileSync(path.join(f.parentPath, f.name)).toString('latin1'));
    expect(texts.length).toBeGreaterThan(0);
    for (const s of secrets) for (const t of texts) expect(t.includes(s)).toBe(false);
  });

  it('logs no patient data from the bundles', () => {
    const patients = syntheaFiles()
      .slice(0, PATIENTS)
      .map((f) => readBundle(f).entry.find((e) => e.resource.resourceType === 'Patient')!.resource);
    const phi = patients.flatMap((p) => {
      const r = p as unknown as { name: { family: string; given: string[] }[]; birthDate: string };
      const ids = (p as unknown as { identifier: { value: string }[] }).identifier.map(
        (i) => i.value,
      );
      return [r.name[0]!.family, ...r.name[0]!.given, r.birthDate, ...ids];
    });
    expect(phi.length).toBeGreaterThan(PATIENTS * 3);
    for (const v of phi) expect(run.stderr).not.toContain(v);
  });

  it('refuses a second run clearly and changes nothing', async () => {
    const haven = await open();
    const before = await haven.records.resources.countLive();
    await haven.close();
    const again = await runHaven(['demo', ...base, '--synthea', SYNTHEA_DIR], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds the demo clinic/);
    const after = await open();
    try {
      expect(await after.records.resources.countLive()).toBe(before);
      expect(await after.people.users.list()).toHaveLength(USER_ROLES.length);
    } finally {
      await after.close();
    }
  });
});

describe('haven demo run twice at once', () => {
  it('seeds once: the other run is refused before it writes a record', async () => {
    const target = await makeTarget('sqlite');
    const config = resolveConfig({ data: target.dataDir }, {});
    const haven = await openHaven(config, { logger: createLogger('silent'), create: true });
    try {
      const files = demoBundleFiles(SYNTHEA_DIR, 1);
      const results = await Promise.allSettled([
        seedDemoClinic(haven, files),
        seedDemoClinic(haven, files),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const done = results.find((r) => r.status === 'fulfilled')!;
      expect(await haven.records.resources.countLive()).toBe(done.value.resources);
      expect(await haven.people.users.list()).toHaveLength(USER_ROLES.length);
    } finally {
      await haven.close();
      await target.cleanup();
    }
  }, 120_000);

  it('refuses an installation that already has people of its own', async () => {
    const target = await makeTarget('sqlite');
    const haven = await openHaven(resolveConfig({ data: target.dataDir }, {}), {
      logger: createLogger('silent'),
      create: true,
    });
    try {
      await haven.people.users.addUser({ email: 'someone@clinic.example', roles: ['nurse'] });
      await expect(seedDemoClinic(haven, demoBundleFiles(SYNTHEA_DIR, 1))).rejects.toThrow(
        /already has people/,
      );
      expect(await haven.records.resources.countLive()).toBe(0);
    } finally {
      await haven.close();
      await target.cleanup();
    }
  });
});
