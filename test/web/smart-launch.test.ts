import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASE_TAG } from '../../src/access/index.js';
import { registerSmartClient } from '../../src/auth/index.js';
import { createUser, MINUTE, TestClock, totpNow } from '../http/auth/sign-in.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { buildWebApp, cspViolations, launchChromium, newProfile, watchConsole } from './browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FHIR_CLIENT = path.join(ROOT, 'node_modules', 'fhirclient', 'build', 'fhir-client.js');

/**
 * Issue 20 part 5, SMART half: an outside SMART app, written with the SMART JS client
 * (`fhirclient`), served from its own origin, launches standalone against Haven in Chromium:
 * the patient signs in with password and TOTP, approves on the consent screen, and the app reads
 * the patient's record through the client, and nothing of another patient's.
 */
describe('SMART standalone launch with fhirclient in Chromium', () => {
  const clock = new TestClock();
  let t: TestServer;
  let browser: Browser;
  let app: http.Server;
  let appOrigin: string;
  let context: BrowserContext;

  /** The app's two pages: launch (authorize) and the redirect (ready, then read). */
  const pages = (clientId: string, iss: string, otherPatient: string): Record<string, string> => ({
    '/launch.html': `<!doctype html><meta charset="utf-8"><title>Launch</title>
<script src="/fhir-client.js"></script>
<script>
FHIR.oauth2.authorize({
  clientId: ${JSON.stringify(clientId)},
  scope: 'launch/patient openid fhirUser offline_access patient/*.rs',
  redirectUri: ${JSON.stringify(`${'ORIGIN'}/app.html`)},
  iss: ${JSON.stringify(iss)},
  pkceMode: 'required'
});
</script>`,
    '/app.html': `<!doctype html><meta charset="utf-8"><title>App</title><pre id="out"></pre>
<script src="/fhir-client.js"></script>
<script>
const out = document.getElementById('out');
FHIR.oauth2.ready().then(async (client) => {
  const patient = await client.patient.read();
  const obs = await client.request('Observation?patient=' + client.patient.id);
  let other = 'read';
  try { await client.request('Patient/' + ${JSON.stringify(otherPatient)}); }
  catch (e) { other = 'refused ' + (e.status || e.statusCode || ''); }
  let write = 'written';
  try { await client.update({ ...patient, gender: 'other' }); }
  catch (e) { write = 'refused ' + (e.status || e.statusCode || ''); }
  out.textContent = JSON.stringify({
    patientId: client.patient.id,
    family: patient.name[0].family,
    observations: (obs.entry || []).length,
    other, write,
    scope: client.state.tokenResponse.scope,
    hasRefresh: !!client.state.tokenResponse.refresh_token
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

  it('launches, signs in with MFA, asks consent in plain words, and reads only the patient’s record', async () => {
    const make = async (family: string) => {
      const res = await t.request('POST', '/fhir/R4/Patient', {
        body: {
          resourceType: 'Patient',
          name: [{ family, given: ['Synthetic'] }],
          gender: 'unknown',
        },
      });
      expect(res.status).toBe(201);
      return (res.json() as { id: string }).id;
    };
    const mine = await make('Testsmartpatient');
    const other = await make('Testotherpatient');
    for (const value of [120, 118])
      expect(
        (
          await t.request('POST', '/fhir/R4/Observation', {
            body: {
              resourceType: 'Observation',
              // Released to the patient: a patient reads released results only.
              meta: { tag: [{ ...RELEASE_TAG }] },
              status: 'final',
              code: { text: 'Systolic blood pressure' },
              subject: { reference: `Patient/${mine}` },
              valueQuantity: { value, unit: 'mmHg' },
            },
          })
        ).status,
      ).toBe(201);
    const person = await createUser(t, clock, { totp: true, roles: ['patient'], patientId: mine });
    const iss = `${new URL(t.server.url).origin}/fhir/R4`;
    const { clientId } = await registerSmartClient(
      t.haven.smart,
      {
        name: 'Synthetic Pressure Diary',
        redirectUris: [`${appOrigin}/app.html`],
        confidential: false,
        scopes: 'launch/patient openid fhirUser offline_access patient/*.rs',
      },
      clock.fn(),
    );
    const served = pages(clientId, iss, other);
    const script = fs.readFileSync(FHIR_CLIENT);
    app.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', appOrigin);
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
    await page.goto(`${appOrigin}/launch.html`);
    // Haven's sign-in, in place on the consent page: password, then the authenticator code.
    await page.waitForURL((u) => u.pathname === '/smart/authorize');
    await page.getByLabel('Email address').fill(person.email);
    await page.getByLabel(/^Password/).fill(person.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    clock.advance(MINUTE);
    await page.getByLabel('Authenticator code').fill(totpNow(person.totpSecret!, clock));
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The consent screen: the app by name, the scopes in plain words.
    await page
      .getByRole('heading', { name: 'Allow Synthetic Pressure Diary to use your Haven account?' })
      .waitFor();
    const asked = await page.getByRole('list', { name: 'What the app asks for' }).innerText();
    expect(asked).toContain('Read and search your every kind of health record');
    expect(asked).toContain('Know who you are in Haven');
    expect(asked).toContain('Keep this access when you are not using the app');
    expect(asked).not.toContain('patient/*.rs');
    expect(await cspViolations(page)).toEqual([]);
    expect(csp).toEqual([]);
    await page.getByRole('button', { name: 'Allow' }).click();

    // Back in the app: fhirclient exchanged the code (PKCE) and read through Haven's API.
    await page.waitForURL((u) => u.origin === appOrigin && u.pathname === '/app.html');
    await expect
      .poll(() => page.locator('#out').innerText(), { timeout: 60_000 })
      .toMatch(/^\{|ERROR/);
    const result = JSON.parse(await page.locator('#out').innerText()) as Record<string, unknown>;
    expect(result).toMatchObject({
      patientId: mine,
      family: 'Testsmartpatient',
      observations: 2,
      hasRefresh: true,
    });
    expect(String(result.other)).toMatch(/^refused (403|404)/);
    expect(String(result.write)).toMatch(/^refused 403/);

    const trail = await t.haven.auditRepo.entries(0, 1_000_000);
    const actions = trail.map((e) => e.action);
    for (const a of ['smart-authorize', 'smart-consent-grant', 'smart-token-issue'])
      expect(actions).toContain(a);
    expect(
      trail.some(
        (e) => e.action === 'read' && e.actor_id === person.userId && e.patient_id === mine,
      ),
    ).toBe(true);
  }, 240_000);
});
