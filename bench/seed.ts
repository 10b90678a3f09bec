/**
 * Bench patients: clones of the 30 Synthea R4 Patients (synthetic people; HAVEN_SYNTHEA_DIR or
 * ../shared/data/synthea-r4, see scripts/synthea-dir.ts), each
 * with a fresh id-like identifier so that every patient is distinct and findable by identifier.
 * They go in through the FHIR transaction endpoint, 100 per bundle, as an import would.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeClient } from './client.js';
import { syntheaBundleNames, syntheaDir } from '../scripts/synthea-dir.js';

export const SYNTHEA_DIR = syntheaDir();
export const ID_SYSTEM = 'https://github.com/synthetichealth/synthea';
const MRN_SYSTEM = 'http://hospital.smarthealthit.org';

type Json = Record<string, unknown>;

export interface SeededPatient {
  id: string;
  identifier: string;
}

export interface Seed {
  patients: SeededPatient[];
  /** Wall time of the import transactions alone (100 patients a bundle, one in flight). */
  importSeconds: number;
  /** GET /fhir/R4/Patient/{id} path → the exact response body Haven returned. */
  bodies: Map<string, Buffer>;
  meanBodyBytes: number;
}

/** The Patient resources of the Synthea bundles, without ids. */
export function patientTemplates(): Json[] {
  const out: Json[] = [];
  for (const f of syntheaBundleNames()) {
    const bundle = JSON.parse(fs.readFileSync(path.join(SYNTHEA_DIR, f), 'utf8')) as {
      entry: { resource: Json }[];
    };
    const patient = bundle.entry.map((e) => e.resource).find((r) => r.resourceType === 'Patient');
    if (patient) {
      const { id: _id, ...rest } = patient;
      out.push(rest);
    }
  }
  if (out.length === 0) throw new Error(`no Patient in ${SYNTHEA_DIR}`);
  return out;
}

/** A template with its Synthea and MRN identifiers set to `value` (the placeholder for creates). */
export function withIdentifier(template: Json, value: string): Json {
  const identifier = ((template.identifier as Json[] | undefined) ?? []).map((i) =>
    i.system === ID_SYSTEM || i.system === MRN_SYSTEM ? { ...i, value } : i,
  );
  if (!identifier.some((i) => i.system === ID_SYSTEM))
    identifier.unshift({ system: ID_SYSTEM, value });
  return { ...template, identifier };
}

/**
 * A small patient (issue 19, target 6's "small record"): one name, gender and birth date of a
 * Synthea template, about 360 bytes as Haven answers it, against the full template's 3–5 KB.
 */
export function smallTemplate(t: Json): Json {
  const name = (t.name as Json[] | undefined)?.[0];
  return {
    resourceType: 'Patient',
    ...(name && { name: [{ family: name.family, given: name.given }] }),
    gender: t.gender,
    birthDate: t.birthDate,
  };
}

export async function seedPatients(
  url: string,
  ca: string,
  token: string,
  count: number,
  opts: { small?: boolean } = {},
): Promise<Seed> {
  const templates = opts.small ? patientTemplates().map(smallTemplate) : patientTemplates();
  const client = makeClient(url, ca, token);
  try {
    const patients: SeededPatient[] = [];
    let importMs = 0;
    for (let start = 0; start < count; start += 100) {
      const batch = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
        identifier: crypto.randomUUID(),
        template: templates[(start + i) % templates.length]!,
      }));
      const bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: batch.map((b) => ({
          fullUrl: `urn:uuid:${crypto.randomUUID()}`,
          resource: withIdentifier(b.template, b.identifier),
          request: { method: 'POST', url: 'Patient' },
        })),
      };
      const t0 = performance.now();
      const r = await client.send('POST', '/fhir/R4', bundle);
      importMs += performance.now() - t0;
      if (r.status !== 200)
        throw new Error(
          `seed transaction failed: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`,
        );
      const resp = JSON.parse(r.body.toString('utf8')) as {
        entry: { response: { location: string } }[];
      };
      resp.entry.forEach((e, i) => {
        const id = /^Patient\/([^/]+)/.exec(e.response.location)?.[1];
        if (!id) throw new Error(`unexpected transaction location ${e.response.location}`);
        patients.push({ id, identifier: batch[i]!.identifier });
      });
    }
    // Read each patient once: the bare server replays these bytes, and the sizes set the baseline.
    const bodies = new Map<string, Buffer>();
    for (let i = 0; i < patients.length; i += 16) {
      await Promise.all(
        patients.slice(i, i + 16).map(async (p) => {
          const p1 = `/fhir/R4/Patient/${p.id}`;
          const r = await client.send('GET', p1);
          if (r.status !== 200) throw new Error(`seed read failed: ${r.status}`);
          bodies.set(p1, r.body);
        }),
      );
    }
    const meanBodyBytes = Math.round(
      [...bodies.values()].reduce((n, b) => n + b.length, 0) / bodies.size,
    );
    return { patients, importSeconds: importMs / 1000, bodies, meanBodyBytes };
  } finally {
    client.close();
  }
}

/** Checks that a search by identifier finds exactly the seeded patient (before measuring it). */
export async function checkSearch(
  url: string,
  ca: string,
  token: string,
  p: SeededPatient,
): Promise<void> {
  const client = makeClient(url, ca, token);
  try {
    const r = await client.send('GET', searchPath(p.identifier));
    const bundle = JSON.parse(r.body.toString('utf8')) as {
      total?: number;
      entry?: { resource: { id: string } }[];
    };
    if (r.status !== 200 || bundle.total !== 1 || bundle.entry?.[0]?.resource.id !== p.id) {
      throw new Error(
        `search by identifier did not find the seeded patient (status ${r.status}, total ${bundle.total})`,
      );
    }
  } finally {
    client.close();
  }
}

export function searchPath(identifier: string): string {
  return `/fhir/R4/Patient?identifier=${encodeURIComponent(`${ID_SYSTEM}|${identifier}`)}`;
}
