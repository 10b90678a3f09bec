import type * as Backups from './backups.js';
import type * as Demo from './demo-clinic.js';
import type * as Disposal from './disposal.js';

/*
 * The whole-installation operations (backup, restore, verify, disposal, the demo clinic), each
 * loaded on its first call like the openers (open-lazily.ts, decision 0022): they reach the FHIR
 * records, people and notifications, and a command like `haven audit verify` that imports this
 * folder's index must not load those (test/cli/startup.test.ts).
 */

export async function backupHaven(
  ...args: Parameters<typeof Backups.backupHaven>
): ReturnType<typeof Backups.backupHaven> {
  return (await import('./backups.js')).backupHaven(...args);
}

export async function restoreHaven(
  ...args: Parameters<typeof Backups.restoreHaven>
): ReturnType<typeof Backups.restoreHaven> {
  return (await import('./backups.js')).restoreHaven(...args);
}

export async function verifyBackup(
  ...args: Parameters<typeof Backups.verifyBackup>
): ReturnType<typeof Backups.verifyBackup> {
  return (await import('./backups.js')).verifyBackup(...args);
}

export async function requestDisposal(
  ...args: Parameters<typeof Disposal.requestDisposal>
): ReturnType<typeof Disposal.requestDisposal> {
  return (await import('./disposal.js')).requestDisposal(...args);
}

export async function approveDisposal(
  ...args: Parameters<typeof Disposal.approveDisposal>
): ReturnType<typeof Disposal.approveDisposal> {
  return (await import('./disposal.js')).approveDisposal(...args);
}

export async function seedDemoClinic(
  ...args: Parameters<typeof Demo.seedDemoClinic>
): ReturnType<typeof Demo.seedDemoClinic> {
  return (await import('./demo-clinic.js')).seedDemoClinic(...args);
}
