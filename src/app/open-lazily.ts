import type { HavenConfig } from '../config/index.js';
import type { AuditCore } from './open-audit-core.js';
import type { Haven, OpenOptions } from './open-haven.js';
import type { PeopleCore } from './open-people-core.js';

/*
 * The openers, each loaded on its first call: importing this folder's index then costs no
 * FHIR records, auth or notification code, so a one-shot command loads only what the opener it
 * calls needs (decision 0022). `haven serve` and the tests call openHaven exactly as before.
 */

/** Everything a running Haven holds (see open-haven.ts). */
export async function openHaven(config: HavenConfig, opts?: OpenOptions): Promise<Haven> {
  return (await import('./open-haven.js')).openHaven(config, opts);
}

/** Database, keyring, audit signing key and trail only (see open-audit-core.ts). */
export async function openAuditCore(config: HavenConfig, opts?: OpenOptions): Promise<AuditCore> {
  return (await import('./open-audit-core.js')).openAuditCore(config, opts);
}

/** The audit core plus people and API clients (see open-people-core.ts). */
export async function openPeopleCore(config: HavenConfig, opts?: OpenOptions): Promise<PeopleCore> {
  return (await import('./open-people-core.js')).openPeopleCore(config, opts);
}
