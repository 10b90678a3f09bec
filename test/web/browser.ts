import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { CANARY_PATTERN } from '../support/canary.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/**
 * Builds web/ into dist/web (what the server serves), so the tests see the current source. Once
 * per test run: the build empties dist/web first, so a second test file building in parallel
 * would pull the pages from under the first one's server. The first file to get the run's lock
 * directory builds; the others wait for its marker.
 */
export function buildWebApp(): void {
  const run = process.env.HAVEN_TEST_RUN;
  if (run === undefined) return viteBuild();
  const lock = path.join(ROOT, '.tmp', `web-build-${run}`);
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  try {
    fs.mkdirSync(lock);
  } catch {
    const until = Date.now() + 110_000;
    while (!fs.existsSync(path.join(lock, 'done'))) {
      if (fs.existsSync(path.join(lock, 'failed'))) throw new Error('the web app build failed');
      if (Date.now() > until) throw new Error('timed out waiting for the web app build');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    return;
  }
  try {
    viteBuild();
  } catch (e) {
    fs.writeFileSync(path.join(lock, 'failed'), '');
    throw e;
  }
  fs.writeFileSync(path.join(lock, 'done'), '');
}

function viteBuild(): void {
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'web/vite.config.ts'],
    {
      cwd: ROOT,
      stdio: 'pipe',
      // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

/** The system's Chromium, never a downloaded one (issue 15). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** A browser profile of its own (cookies, storage) that trusts the test server's certificate. */
export async function newProfile(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1000, height: 760 },
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  // Well inside the test's own timeout, so a missing element fails with its name.
  context.setDefaultTimeout(10_000);
  // Counted in the page itself: a CSP refusal fires this event (and logs to the console).
  // (Page scripts are given as text: this project's tsconfig has no DOM types.)
  // The moment the first heading appears is recorded too: the page is usable from then on.
  await context.addInitScript(`
    new MutationObserver((_, o) => {
      if (document.querySelector('h1')) { window.__firstHeading = performance.now(); o.disconnect(); }
    }).observe(document, { subtree: true, childList: true });
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
  return context;
}

/** Console lines about the Content-Security-Policy, per page, for the no-violation check. */
export function watchConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) lines.push(m.text());
  });
  return lines;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__csp ?? []');
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(bad).toEqual([]);
}

/** A picture for docs/screenshots; `hide` covers anything that must not be committed (canaries). */
export async function screenshot(page: Page, name: string, hide: Locator[] = []): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}.png`),
    fullPage: true,
    mask: hide,
    animations: 'disabled',
  });
}

/**
 * Everything the page could still hold after a logoff: the DOM, both Web Storage areas, every
 * IndexedDB database and every Cache API cache, as one text to search for canary PHI.
 */
export async function browserStores(page: Page): Promise<{ text: string; stores: string[] }> {
  return page.evaluate<{ text: string; stores: string[] }>(`(async () => {
    const parts = [document.documentElement.outerHTML];
    const stores = [];
    for (const area of [localStorage, sessionStorage]) {
      for (let i = 0; i < area.length; i++) {
        const k = area.key(i);
        stores.push('storage:' + k);
        parts.push(k, area.getItem(k) ?? '');
      }
    }
    for (const db of await indexedDB.databases()) stores.push('idb:' + db.name);
    if ('caches' in self) for (const k of await caches.keys()) stores.push('cache:' + k);
    return { text: parts.join('\\n'), stores };
  })()`);
}

export function expectNoCanary(text: string): void {
  expect(CANARY_PATTERN.test(text)).toBe(false);
}

/**
 * A loopback TCP forwarder whose port is known before the server it forwards to exists: the
 * passkey test's server needs its public URL (the WebAuthn origin, https://localhost:PORT) at
 * start-up, and the browser must reach it on exactly that port.
 */
export async function forwarder(): Promise<{
  port: number;
  to(port: number): void;
  close(): Promise<void>;
}> {
  let target = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    to: (port) => {
      target = port;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Signs a staff person in through the sign-in page (password, then TOTP) up to the home page. */
export async function signInThroughPage(
  page: Page,
  who: { email: string; password: string; totpSecret: string },
  code: (secret: string) => string,
): Promise<void> {
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel(/^Password/).fill(who.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Authenticator code').fill(code(who.totpSecret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Welcome to Haven' }).waitFor();
}
