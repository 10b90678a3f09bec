/**
 * The web app's first load on the demo clinic, in the system Chromium: bytes on the wire for
 * the sign-in page, and time to interactive for a signed-in patient opening "My results" in a
 * fresh page (the results table shown), over a local Haven seeded by `haven demo`'s code.
 * Prints a Markdown table for docs/performance.md. Needs `npm run build` (dist/web) first.
 * Usage: npx tsx scripts/measure-first-load.ts [runs, default 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { demoBundleFiles, openHaven, seedDemoClinic } from '../src/app/index.js';
import { totpCodeAt } from '../src/auth/index.js';
import { resolveConfig } from '../src/config/index.js';
import { startServer } from '../src/http/index.js';
import { createLogger } from '../src/logging/index.js';
import { syntheaDir } from './synthea-dir.js';

const runs = Number(process.argv[2] ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haven-first-load-'));
const config = resolveConfig(
  { data: dir, port: 0, logLevel: 'warn' },
  { HAVEN_RATE_LIMIT: '1000000' },
);
let now = Date.now();
const clock = () => new Date(now);
const haven = await openHaven(config, { logger: createLogger('warn'), create: true, clock });
const clinic = await seedDemoClinic(haven, demoBundleFiles(syntheaDir()));
const server = await startServer(haven, { software: { name: 'Haven', version: 'measure' } });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const patient = clinic.people.find((p) => p.role === 'patient')!;

/** Encoded bytes of the document and every resource it loaded (Resource Timing). */
const bytesOf = (page: Page) =>
  page.evaluate<{ name: string; bytes: number }[]>(`[
    ...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')
  ].map((e) => ({ name: new URL(e.name).pathname, bytes: e.transferSize }))`);

const signInMs: number[] = [];
const resultsMs: number[] = [];
let bytes: { name: string; bytes: number }[] = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(new URL('/signin', server.url).href);
  await page.getByLabel('Email address').waitFor();
  signInMs.push(Date.now() - t0);
  if (i === 0) bytes = await bytesOf(page);
  await page.getByLabel('Email address').fill(patient.email);
  await page.getByLabel(/^Password/).fill(patient.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  now += 60_000; // a fresh TOTP step for each sign-in
  await page.getByLabel('Authenticator code').fill(totpCodeAt(patient.totpSecret, clock(), 6));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Haven' }).waitFor();
  // Time to interactive on the demo clinic: a fresh page load of the results screen.
  const t1 = Date.now();
  await page.goto(new URL('/results', server.url).href);
  await page.getByTestId('results').locator('tbody tr').first().waitFor();
  await page.getByRole('button', { name: 'Download my record' }).waitFor();
  resultsMs.push(Date.now() - t1);
  await context.close();
}
await browser.close();
await server.close();
await haven.close();
fs.rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = bytes.reduce((n, b) => n + b.bytes, 0);
const lines = [
  '| what | bytes on the wire |',
  '| --- | ---: |',
  ...bytes.map((b) => `| \`${b.name}\` | ${b.bytes.toLocaleString('en-US')} |`),
  `| **total (sign-in page)** | **${total.toLocaleString('en-US')}** |`,
  '',
  `Sign-in form shown: median ${median(signInMs)} ms (${signInMs.join(', ')} ms over ${runs} fresh profiles).`,
  `"My results" for the demo patient, fresh page load to the results table: median ${median(resultsMs)} ms (${resultsMs.join(', ')} ms).`,
];
process.stdout.write(`${lines.join('\n')}\n`);
