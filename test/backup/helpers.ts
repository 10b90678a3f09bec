import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { openHaven, type Haven } from '../../src/app/index.js';
import { resolveConfig, type HavenConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/index.js';
import { UserRepository } from '../../src/store/index.js';
import { makeTarget, type EngineTarget } from '../support/engines.js';
import type { TestServer } from '../support/haven-server.js';

/** A fresh, empty installation (new data dir / new schema) sharing `keyringPath`. */
export async function emptyTarget(
  engine: 'sqlite' | 'postgres',
  keyringPath: string,
): Promise<{ target: EngineTarget; config: HavenConfig }> {
  const target = await makeTarget(engine);
  const config = resolveConfig(
    {
      data: target.dataDir,
      databaseUrl: target.databaseUrl,
      databaseSchema: target.schema,
      keyring: keyringPath,
    },
    {},
  );
  return { target, config };
}

export function openQuiet(config: HavenConfig, clock?: () => Date): Promise<Haven> {
  return openHaven(config, {
    logger: createLogger('silent', undefined),
    create: false,
    ...(clock && { clock }),
  });
}

export function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'haven-bk-')), name);
}

/** Patients, each with one Observation; returns their ids and genders. */
export async function seedPatients(
  t: TestServer,
  n: number,
): Promise<{ id: string; gender: string }[]> {
  const out: { id: string; gender: string }[] = [];
  for (let i = 0; i < n; i++) {
    const gender = i % 2 === 0 ? 'female' : 'male';
    const res = await t.request('POST', '/fhir/R4/Patient', {
      body: { resourceType: 'Patient', gender, name: [{ family: `Backup${i}` }] },
    });
    expect(res.status).toBe(201);
    const id = String(res.json().id);
    const obs = await t.request('POST', '/fhir/R4/Observation', {
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: `Patient/${id}` },
        valueQuantity: { value: 60 + i, unit: '/min' },
      },
    });
    expect(obs.status).toBe(201);
    out.push({ id, gender });
  }
  return out;
}

/** An active admin account (no sign-in needed: disposal takes the admin ids). */
export async function addAdmin(haven: Haven, at: Date): Promise<string> {
  const id = crypto.randomUUID();
  await new UserRepository(haven.database.db).insert({
    id,
    emailIndex: crypto.randomBytes(32),
    emailSealed: crypto.randomBytes(48),
    roles: ['admin'],
    at: at.toISOString(),
  });
  return id;
}

/** What `code` an async failure carried. */
export async function failureCode(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'no error',
    (e: { code?: string }) => e.code ?? 'no code',
  );
}
