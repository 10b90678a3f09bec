import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoBundleFiles, seedDemoClinic, type DemoClinic } from '../../src/app/index.js';
import { MINUTE, TestClock, totpNow } from '../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { readBundle, SYNTHEA_DIR } from '../support/synthea.js';
import {
  browserStores,
  buildWebApp,
  cspViolations,
  expectAccessible,
  launchChromium,
  newProfile,
  screenshot,
  signInThroughPage,
  watchConsole,
} from './browser.js';

type Role = DemoClinic['people'][number]['role'];
type Resource = Record<string, unknown> & { resourceType: string; id: string };

/**
 * The patient portal, the lab bench and the auditor's screen in Chromium, on the demo clinic
 * (`haven demo`'s seeding over three Synthea patients) served by a real test server. SQLite
 * only, as the other browser tests: the API under the pages runs on both engines in test/http.
 */
describe('role screens in Chromium (demo clinic)', { timeout: 120_000 }, () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let clinic: DemoClinic;
  let files: string[];
  const contexts: BrowserContext[] = [];
  const consoles = new Map<Page, string[]>();

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn }),
      launchChromium(),
    ]);
    files = demoBundleFiles(SYNTHEA_DIR, 3);
    clinic = await seedDemoClinic(t.haven, files);
    clock.advance(MINUTE); // the enrollment codes' step is spent
  }, 180_000);
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.stop();
  });
  afterEach(async () => {
    for (const [page, lines] of consoles) {
      if (!page.isClosed()) expect(await cspViolations(page)).toEqual([]);
      expect(lines).toEqual([]);
    }
    consoles.clear();
  });

  const signedIn = async (role: Role) => {
    const person = clinic.people.find((p) => p.role === role)!;
    const context = await newProfile(browser);
    contexts.push(context);
    const page = await context.newPage();
    consoles.set(page, watchConsole(page));
    await page.goto(t.server.url);
    await signInThroughPage(page, person, (s) => totpNow(s, clock));
    clock.advance(MINUTE);
    return page;
  };
  const bundleOfPatientPerson = () =>
    files
      .map(readBundle)
      .find((b) =>
        b.entry.some(
          (e) => e.resource.resourceType === 'Patient' && e.resource.id === clinic.patientPerson,
        ),
      )!;

  it('patient: released results and the signed note only; downloads the record in memory', async () => {
    const page = await signedIn('patient');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My results' })
      .click();
    await page.getByRole('heading', { name: 'My results and notes', level: 1 }).waitFor();
    const results = page.getByTestId('results');
    await results.waitFor();
    // Exactly the final laboratory results of the patient's bundle (the ones the demo released).
    const released = bundleOfPatientPerson().entry.filter((e) => {
      const r = e.resource as Resource & { status?: string; category?: unknown };
      return (
        r.resourceType === 'Observation' &&
        r.status === 'final' &&
        JSON.stringify(r.category).includes('laboratory')
      );
    }).length;
    expect(released).toBeGreaterThan(0);
    expect(await results.locator('tbody tr').count()).toBe(released);
    const notes = page.getByTestId('note');
    expect(await notes.count()).toBe(1);
    await notes.getByText(/Demo note \(synthetic\)/).waitFor();
    expect(await page.getByText(/Demo draft/).count()).toBe(0);
    await expectAccessible(page, 'patient-results');
    await screenshot(page, 'patient-results');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my record' }).click(),
    ]);
    expect(download.url()).toMatch(/^blob:https:\/\/[^/]+\/[0-9a-f-]+$/);
    expect(download.suggestedFilename()).toBe('my-health-record.json');
    const file = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as {
      resourceType: string;
      entry: { resource: Resource }[];
    };
    expect(file.resourceType).toBe('Bundle');
    const patient = file.entry.find((e) => e.resource.resourceType === 'Patient')!;
    expect(patient.resource.id).toBe(clinic.patientPerson);
    // The unreleased draft note is not in the download either.
    expect(JSON.stringify(file)).not.toContain('demo-note-preliminary');
    await page.getByText('Your record was downloaded.').waitFor();
    // The download is in the audit trail as an export of the patient's record.
    const { rows } = await t.haven.auditRepo.search(
      { patientId: clinic.patientPerson, action: 'export' },
      10,
      0,
    );
    expect(rows.filter((r) => r.outcome === 'success').length).toBe(1);
    // Nothing of it went to browser storage.
    const stores = await browserStores(page);
    expect(stores.stores).toEqual([]);
  });

  it('lab assistant: enters a result, refuses a bad value, corrects it with the old value kept', async () => {
    const page = await signedIn('lab_assistant');
    await page.getByRole('link', { name: 'Lab results' }).click();
    await page.getByRole('heading', { name: 'Lab results', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Patient (with a lab order)' }).click();
    const options = page.getByRole('option');
    await options.first().waitFor();
    // Only the patients with a lab order (the demo orders labs for all three imported here).
    expect(await options.count()).toBe(3);
    await options.first().click();
    const table = page.getByTestId('lab-results');
    await table.waitFor();
    const before = await table.locator('tbody tr').count();

    const form = page.getByRole('form', { name: 'New lab result' });
    await form.getByLabel(/^Value/).fill('abc');
    await form.getByRole('button', { name: 'Save result' }).click();
    await form.getByText('Enter the value as a number.').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(before);

    await form.getByLabel(/^Value/).fill('101.5');
    await form.getByRole('button', { name: 'Save result' }).click();
    await form.getByText('Result saved.').waitFor();
    const row = table.getByRole('row', { name: /Glucose.*101\.5 mg\/dL/ });
    await row.waitFor();
    await page.mouse.move(0, 0);
    await expectAccessible(page, 'lab-entry');
    await screenshot(page, 'lab-entry');

    await row.getByRole('button', { name: /^Correct Glucose/ }).click();
    const correct = page.getByRole('form', { name: 'Correct a result' });
    await correct.getByLabel(/^Corrected value/).fill('110');
    await correct.getByRole('button', { name: 'Save correction' }).click();
    const corrected = table.getByRole('row', { name: /Glucose.*110 mg\/dL.*corrected/ });
    await corrected.waitFor();
    await corrected.getByRole('button', { name: /^History of Glucose/ }).click();
    const history = page.getByTestId('result-history');
    await history.getByText(/Version 1: 101\.5 mg\/dL \(final\)/).waitFor();
    await history.getByText(/Version 2: 110 mg\/dL \(corrected\)/).waitFor();
    await page.mouse.move(0, 0);
    await expectAccessible(page, 'lab-correction');
  });

  it('auditor: filters the trail, draws the volume chart under the CSP, shows the trail verified', async () => {
    const page = await signedIn('auditor');
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    const status = page.getByTestId('trail-status');
    await status.getByText('The audit trail verifies').waitFor();
    await status.getByText(/Last checkpoint: \d+ entries|No checkpoint signed yet/).waitFor();
    const chart = page.getByTestId('audit-chart');
    await chart.locator('svg .recharts-bar-rectangle').first().waitFor();

    await page.getByLabel('Patient id').fill(clinic.patientPerson);
    await page.getByRole('button', { name: 'Search' }).click();
    const entries = page.getByTestId('audit-entries');
    await entries
      .getByRole('cell', { name: `Patient/${clinic.patientPerson}` })
      .first()
      .waitFor();
    const patientCells = await entries.locator('tbody tr td:nth-child(6)').allTextContents();
    expect(patientCells.length).toBeGreaterThan(0);
    expect(new Set(patientCells)).toEqual(new Set([`Patient/${clinic.patientPerson}`]));
    await page.mouse.move(0, 0); // axe measures colours; not those of a hovered button
    await expectAccessible(page, 'auditor-audit');
    await screenshot(page, 'auditor-audit');

    // A range that runs backwards is refused in the page, and nothing is searched.
    await page.getByLabel('From').fill('2026-12-31');
    await page.getByLabel('To').fill('2026-01-01');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('The start date must not be after the end date.').waitFor();
  });

  it('admin: makes an app token (shown once, after re-authentication when due) and revokes it', async () => {
    const page = await signedIn('admin');
    const admin = clinic.people.find((p) => p.role === 'admin')!;
    const form = page.getByRole('form', { name: 'New app token' });
    await form.getByLabel(/^App name/).fill('bad/name');
    await form.getByRole('button', { name: 'Make token' }).click();
    await form.getByText(/Name the app with letters/).waitFor();
    await form.getByLabel(/^App name/).fill('Demo reader');
    clock.advance(10 * MINUTE); // the sign-in's confirmation is no longer fresh
    await form.getByRole('button', { name: 'Make token' }).click();
    const prompt = page.getByRole('dialog', { name: 'Confirm it is you' });
    await prompt.getByLabel(/Your password/).fill(admin.password);
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    const shown = page.getByTestId('new-token');
    await shown.getByText(/shown only this once/).waitFor();
    const token = (await shown.locator('pre, code').first().textContent())!.trim();
    expect(token.length).toBeGreaterThan(20);
    const rows = page.getByTestId('app-tokens').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    // The token works as a bearer token for this person (and is not kept by the page).
    const me = await t.request('GET', '/fhir/R4/Practitioner?_count=1', { token });
    expect(me.status).toBe(200); // the directory, which an admin keeps
    await page.mouse.move(0, 0);
    await expectAccessible(page, 'admin-tokens');
    await screenshot(page, 'admin-tokens', [shown.locator('pre, code')]);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByText(token).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke Demo reader' }).click();
    await page.getByText('No app tokens.').waitFor();
    const after = await t.request('GET', '/fhir/R4/Practitioner?_count=1', { token });
    expect(after.status).toBe(401);
  });

  it('a patient gets neither the auditor status nor the lab screen data', async () => {
    const page = await signedIn('patient');
    expect(await page.getByRole('link', { name: 'Audit trail' }).count()).toBe(0);
    await page.goto(new URL('/audit', t.server.url).href);
    await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
    await page.getByTestId('trail-status').getByRole('alert').waitFor();
    expect(await page.getByText('The audit trail verifies').count()).toBe(0);
  });
});
