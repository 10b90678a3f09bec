import path from 'node:path';
import {
  DEMO_BUNDLE_COUNT,
  demoBundleFiles,
  DemoRefusedError,
  seedDemoClinic,
  type DemoClinic,
  type Haven,
} from '../../app/index.js';
import { createLogger } from '../../logging/index.js';
import { CliFailure, print, withHaven, type CommonFlags } from '../common.js';

/** `haven demo` (declared in ../tree/demo.ts), and `haven serve --demo`. */

export interface DemoFlags extends CommonFlags {
  synthea?: string;
  patients?: string;
}

export async function demo(flags: DemoFlags): Promise<void> {
  // The log goes to stderr (warnings, unless HAVEN_LOG_LEVEL asks for more), apart from the
  // sign-in details on stdout; it never carries them (test/cli/demo.test.ts reads it).
  const logger = createLogger(process.env.HAVEN_LOG_LEVEL ?? 'warn', process.stderr);
  const clinic = await withHaven(flags, (haven) => seedFor(haven, flags), { logger });
  printDemo(flags, clinic);
}

/** Seeds the open Haven; refusals become one-line CLI failures. */
export async function seedFor(haven: Haven, flags: DemoFlags): Promise<DemoClinic> {
  const count = Number(flags.patients ?? DEMO_BUNDLE_COUNT);
  if (!Number.isInteger(count) || count < 1 || count > 30)
    throw new CliFailure('--patients must be a whole number from 1 to 30', 64);
  const dir = path.resolve(
    flags.synthea ??
      process.env.HAVEN_SYNTHEA_DIR ??
      path.join('..', 'shared', 'data', 'synthea-r4'),
  );
  try {
    return await seedDemoClinic(haven, demoBundleFiles(dir, count));
  } catch (e) {
    if (e instanceof DemoRefusedError) throw new CliFailure(e.message);
    throw e;
  }
}

/**
 * The sign-in details go to this terminal only: written straight to stdout, never through the
 * logger, never to a file. They are shown once, as an enrollment link would be.
 */
export function printDemo(flags: { json?: boolean }, clinic: DemoClinic): void {
  const lines = [
    `Demo clinic seeded: ${clinic.patients.length} Synthea patients (synthetic, no real person), ${clinic.resources} records.`,
    'Sign-in details, shown once and only here (not logged, not stored in a file):',
    '',
  ];
  for (const p of clinic.people) {
    lines.push(
      `  ${p.role.padEnd(14)}${p.email}`,
      `  ${''.padEnd(14)}password     ${p.password}`,
      `  ${''.padEnd(14)}TOTP secret  ${p.totpSecret}`,
      `  ${''.padEnd(14)}otpauth URI  ${p.otpauthUri}`,
      `  ${''.padEnd(14)}recovery     ${p.recoveryCodes[0]} (one of ${p.recoveryCodes.length})`,
      '',
    );
  }
  lines.push(
    `The patient person is Patient/${clinic.patientPerson}; the physician and nurse care for ` +
      `${Math.min(4, clinic.patients.length)} patients. Add the codes to an authenticator app with the otpauth URI.`,
  );
  print(flags, clinic, lines.join('\n'));
}
