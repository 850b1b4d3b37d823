import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run), or $CHROMIUM_PATH. */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
export const CHROMIUM = CANDIDATES.find((path) => existsSync(path)) ?? null;

if (!CHROMIUM) {
  // Skipped tests must say why, in the log, not just in the count.
  console.warn(`[browser tests skipped] Chromium not found at ${CANDIDATES.join(', ')}: install it with \`apt-get install chromium\` (.ci/run does) or set CHROMIUM_PATH.`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, headless: true, args: ['--no-sandbox'] });
}

/** Opens `url` and waits until the page has rendered its data (`#app[data-ready]`, and the rows if any). */
export async function openPage(browser: Browser, url: string, options: { offline?: boolean } = {}): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  if (options.offline) {
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url().startsWith('file://') ? route.continue() : route.abort();
    });
  }
  await page.goto(url);
  await settled(page);
  return { page, requests, errors };
}

/** Waits for the page to be ready and the rows (if shown) to have loaded. */
export async function settled(page: Page): Promise<void> {
  await page.waitForSelector('#app[data-ready="true"], [data-testid=error]');
  await page.waitForFunction(() => !document.querySelector('#rows[data-loading="1"]'));
}

/** The row numbers the table shows, in order. */
export function shownRows(page: Page): Promise<number[]> {
  return page.$$eval('[data-testid=rows] tbody tr', (rows) => rows.map((row) => Number(row.getAttribute('data-row'))));
}
