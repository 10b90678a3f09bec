import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSmartClient } from '../../src/auth/index.js';
import { createUser, MINUTE, TestClock, totpNow } from '../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import {
  buildWebApp,
  cspViolations,
  expectAccessible,
  launchChromium,
  newProfile,
  screenshot,
  signInThroughPage,
  watchConsole,
} from './browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FHIR_CLIENT = path.join(ROOT, 'node_modules', 'fhirclient', 'build', 'fhir-client.js');

/**
 * Issue 20, "the app launches from Haven" (ADR 0035, EHR launch): a physician signed in with
 * password and TOTP opens a patient's chart, picks a registered SMART app from the chart's Apps
 * menu, and the app (written with `fhirclient`, served from its own origin) opens in a new tab
 * with `iss` and `launch` only. It authorizes with that launch, the physician approves, and the
 * app reads THAT patient; another patient in the same physician's care is refused to it.
 * A revoked app is not offered.
 */
describe('SMART EHR launch from the chart with fhirclient in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let app: http.Server;
  let appOrigin: string;
  let context: BrowserContext;

  const pages = (clientId: string, otherPatient: string): Record<string, string> => ({
    // No iss here: fhirclient takes `iss` and `launch` from the launch URL Haven opened.
    '/launch.html': `<!doctype html><meta charset="utf-8"><title>Launch</title>
<script src="/fhir-client.js"></script>
<script>
FHIR.oauth2.authorize({
  clientId: ${JSON.stringify(clientId)},
  scope: 'launch openid fhirUser patient/*.rs',
  redirectUri: 'ORIGIN/app.html',
  pkceMode: 'required'
});
</script>`,
    '/app.html': `<!doctype html><meta charset="utf-8"><title>App</title><pre id="out"></pre>
<script src="/fhir-client.js"></script>
<script>
const out = document.getElementById('out');
FHIR.oauth2.ready().then(async (client) => {
  const patient = await client.patient.read();
  let other = 'read';
  try { await client.request('Patient/' + ${JSON.stringify(otherPatient)}); }
  catch (e) { other = 'refused ' + (e.status || e.statusCode || ''); }
  out.textContent = JSON.stringify({
    patientId: client.patient.id,
    family: patient.name[0].family,
    other,
    scope: client.state.tokenResponse.scope
  });
}).catch((e) => { out.textContent = 'ERROR ' + e.message; });
</script>`,
  });

  beforeAll(async () => {
    buildWebApp();
    [t, browser] = await Promise.all([
      startTestServer('sqlite', { clock: clock.fn }),
      launchChromium(),
    ]);
    app = http.createServer();
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.stop();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('launches the app for the open patient; the app reads that patient and no other', async () => {
    const create = async (body: Record<string, unknown>) => {
      const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
      expect(res.status).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const practitioner = await create({
      resourceType: 'Practitioner',
      name: [{ family: 'Clinician', given: ['Testa'] }],
    });
    const patient = (family: string) =>
      create({ resourceType: 'Patient', name: [{ family, given: ['Synthetic'] }] });
    const mine = await patient('Testlaunchpatient');
    const other = await patient('Testsecondpatient');
    // Both in the physician's care: only the launch context keeps the app to one of them.
    for (const p of [mine, other])
      await create({
        resourceType: 'CareTeam',
        status: 'active',
        subject: { reference: `Patient/${p}` },
        participant: [{ member: { reference: `Practitioner/${practitioner}` } }],
      });
    const user = await createUser(t, clock, {
      totp: true,
      roles: ['physician'],
      practitionerId: practitioner,
    });
    const register = (name: string) =>
      registerSmartClient(
        t.haven.smart,
        {
          name,
          redirectUris: [`${appOrigin}/app.html`],
          launchUrl: `${appOrigin}/launch.html`,
          confidential: false,
          scopes: 'launch openid fhirUser patient/*.rs',
        },
        clock.fn(),
      );
    const { clientId } = await register('Synthetic Chart Viewer');
    const revoked = await register('Synthetic Revoked Viewer');
    expect(await t.haven.smart.revokeClient(revoked.clientId, clock.fn().toISOString())).toBe(true);
    // Registered without a launch URL: not launchable from the chart.
    await registerSmartClient(
      t.haven.smart,
      {
        name: 'Synthetic Standalone Only',
        redirectUris: [`${appOrigin}/app.html`],
        confidential: false,
        scopes: 'launch/patient patient/*.rs',
      },
      clock.fn(),
    );

    const served = pages(clientId, other);
    const script = fs.readFileSync(FHIR_CLIENT);
    const requested: string[] = [];
    app.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', appOrigin);
      requested.push(url.href);
      if (url.pathname === '/fhir-client.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
        return;
      }
      const html = served[url.pathname];
      if (!html) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end(html.replaceAll('ORIGIN', appOrigin));
    });

    context = await newProfile(browser);
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const csp = watchConsole(page);
    await page.goto(new URL('/signin', t.server.url).href);
    await signInThroughPage(page, { ...user, totpSecret: user.totpSecret! }, (s) =>
      totpNow(s, clock),
    );
    clock.advance(MINUTE);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'My patients' })
      .click();
    const list = page.getByTestId('my-patients');
    await list
      .getByRole('row', { name: /Testlaunchpatient/ })
      .getByRole('button', { name: /Open chart/ })
      .click();
    await page.getByRole('heading', { name: /Chart: .*Testlaunchpatient/, level: 1 }).waitFor();

    // The Apps menu: the live app with a launch URL only.
    await page.getByRole('button', { name: 'Apps' }).click();
    const menu = page.getByRole('group', { name: 'Apps for this patient' });
    await menu.getByRole('button', { name: 'Synthetic Chart Viewer' }).waitFor();
    expect(await menu.getByRole('button').allInnerTexts()).toEqual(['Synthetic Chart Viewer']);
    expect(await cspViolations(page)).toEqual([]);
    await expectAccessible(page, 'clinician chart, Apps menu open');
    await screenshot(page, 'clinician-apps-menu');

    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      menu.getByRole('button', { name: 'Synthetic Chart Viewer' }).click(),
    ]);
    // Opened without a handle back to Haven.
    await popup.waitForURL((u) => u.pathname === '/smart/authorize');
    expect(await popup.evaluate('window.opener === null')).toBe(true);
    const opened = new URL(requested.find((u) => new URL(u).pathname === '/launch.html')!);
    expect([...opened.searchParams.keys()].sort()).toEqual(['iss', 'launch']);
    expect(opened.searchParams.get('iss')).toBe(`${new URL(t.server.url).origin}/fhir/R4`);
    expect(opened.href).not.toContain(mine);

    // Already signed in to Haven in this browser: straight to the consent screen.
    await popup
      .getByRole('heading', { name: 'Allow Synthetic Chart Viewer to use your Haven account?' })
      .waitFor();
    const popupCsp = watchConsole(popup);
    await popup.getByRole('button', { name: 'Allow' }).click();
    await popup.waitForURL((u) => u.origin === appOrigin && u.pathname === '/app.html');
    await expect
      .poll(() => popup.locator('#out').innerText(), { timeout: 60_000 })
      .toMatch(/^\{|ERROR/);
    const result = JSON.parse(await popup.locator('#out').innerText()) as Record<string, unknown>;
    expect(result).toMatchObject({ patientId: mine, family: 'Testlaunchpatient' });
    expect(String(result.other)).toMatch(/^refused (403|404)/);
    expect(csp).toEqual([]);
    expect(popupCsp).toEqual([]);

    const trail = await t.haven.auditRepo.entries(0, 1_000_000);
    expect(
      trail.some(
        (e) => e.action === 'smart-launch' && e.actor_id === user.userId && e.patient_id === mine,
      ),
    ).toBe(true);
    expect(
      trail.some((e) => e.action === 'read' && e.actor_id === user.userId && e.patient_id === mine),
    ).toBe(true);
  }, 300_000);
});
