import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { api, GATEWAY_URL } from '../support/api';
import { ALLOWED_ROUTES } from '../../services/gateway/src/http/routes';

// The API description through the real gateway: /openapi.json and the /docs page rendered by
// headless Debian Chromium (playwright-core, no browser download), under the page's own CSP.
jest.setTimeout(120_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let context: BrowserContext;
let userDataDir: string;
beforeAll(async () => {
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'staycar-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await context?.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
});

describe('the API description served by the gateway', () => {
  it('when /openapi.json is fetched without a token, then it is the OpenAPI 3.1 document of exactly the allow-list', async () => {
    const res = await api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const allowed = ALLOWED_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(allowed.sort());
  });

  it('when /docs is opened in a browser, then every operation is rendered, nothing breaks the CSP and nothing loads from another origin', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.goto(`${GATEWAY_URL}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${ALLOWED_ROUTES.length}`, undefined, { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(ALLOWED_ROUTES.length);
    expect(await page.locator('.opblock-summary-path', { hasText: '/roomviews' }).count()).toBeGreaterThanOrEqual(1);
    expect(await page.title()).toBe('staycar public API');
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([new URL(GATEWAY_URL).origin]);
    await page.close();
  });
});
