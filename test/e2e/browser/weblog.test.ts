/**
 * A customer in a real browser (playwright-core driving Debian's Chromium): log in, see the
 * weblog, change the range, download a CSV, switch the language. Screenshots go to
 * test/artifacts/. Skips without /usr/bin/chromium, except under CI=true, where that fails.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../helpers/cli.js';
import { setup, SITE_A, SITE_B, type Fixture } from '../../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const ARTIFACTS = join(REPO, 'test', 'artifacts');

describe('browser prerequisites', () => {
  it.runIf(process.env.CI === 'true')('Chromium is installed in CI', () => {
    expect(present, `${CHROMIUM} is missing: .ci/run installs the Debian package chromium`).toBe(true);
  });
});

describe.skipIf(!present)('customer weblog in Chromium', () => {
  let f: Fixture;
  let base: string;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    f = await setup();
    await f.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(f.app.fastify.server.address() as AddressInfo).port}`;
    // A fresh profile per run: nothing from an earlier run (cookies, cache) can make the test pass.
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'weblog-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      acceptDownloads: true,
      locale: 'en-GB',
      viewport: { width: 1100, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    await f?.close();
  });

  it('logs in, sees the weblog, changes the range, downloads a CSV and switches to German', async () => {
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });

    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
    await page.getByLabel('Access token').fill(f.tokens.a);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/sites\?lang=en$/);
    await page.screenshot({ path: join(ARTIFACTS, '01-sites.png'), fullPage: true });
    await expect(page.getByRole('link', { name: SITE_B }).count()).resolves.toBe(0);

    await page.getByRole('link', { name: SITE_A }).click();
    await page.waitForURL(new RegExp(`/sites/${SITE_A.replace(/\./g, '\\.')}`));
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Web statistics for ${SITE_A}`);
    // The stylesheet applied (CSP allows 'self'): the totals are a grid of cards.
    const display = await page.locator('section[aria-labelledby="s-totals"] dl.cards').evaluate((el) => getComputedStyle(el).display);
    expect(display).toBe('grid');
    await expect(page.locator('footer').textContent()).resolves.toContain('DB-IP');
    await page.screenshot({ path: join(ARTIFACTS, '02-weblog-30d.png'), fullPage: true });

    // Custom range: one day.
    await page.getByLabel('Custom', { exact: true }).check();
    await page.getByLabel('From', { exact: true }).fill('2024-03-02');
    await page.getByLabel('To', { exact: true }).fill('2024-03-02');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/range=custom/);
    await expect(page.locator('header .sub').textContent()).resolves.toContain('2024-03-02 – 2024-03-02');
    await expect(page.locator('#t-days tbody tr').count()).resolves.toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, '03-weblog-custom.png'), fullPage: true });

    // Download the pages table as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download “Requested pages and files” as CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${SITE_A}-urls-2024-03-02_2024-03-02.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('rank,key,hits,bytes');
    expect(csv).toContain(`/${SITE_A}-page-0.html,1,100`);

    // Language switch keeps the range.
    await page.getByRole('link', { name: 'Deutsch' }).click();
    await page.waitForURL(/lang=de/);
    expect(page.url()).toContain('range=custom');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Webstatistik für ${SITE_A}`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await page.screenshot({ path: join(ARTIFACTS, '04-weblog-de.png'), fullPage: true });

    // A phone-sized screen: no horizontal scrolling of the page itself.
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(ARTIFACTS, '05-weblog-mobile.png'), fullPage: true });

    // Log out with the form (CSRF token included by the page itself).
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);
    expect(cspViolations).toEqual([]);
  });
});
