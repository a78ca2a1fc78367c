'use strict';
// Debian's chromium (apt package, no browser download), driven by playwright-core,
// headless, talking to 127.0.0.1 only. Every request elsewhere is refused and
// recorded, and so is every console error and page error.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const { onCleanup } = require('./procs');

const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const IMAGES = path.join(__dirname, '..', '..', '..', 'docs', 'images');

async function launchBrowser() {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`${EXECUTABLE} not found: install Debian's chromium (apt-get install chromium)`);
  }
  const browser = await chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  const unregister = onCleanup(() => browser.close());
  return {
    browser,
    async close() { unregister(); await browser.close(); },
  };
}

/**
 * A 1280x800 page that may only reach `origin`. Returns `{ page, consoleErrors,
 * blocked, responses }`: console errors and page errors as text, requests refused
 * because they left the machine, and the text of every response from the runtime
 * (to look for leaked credentials).
 */
async function openPage(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors = [];
  const blocked = [];
  const responses = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()} (${JSON.stringify(m.location())})`); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.stack || e.message}`));
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u === origin || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    blocked.push(u);
    return route.abort('blockedbyclient');
  });
  page.on('response', async (res) => {
    if (!res.url().startsWith(origin)) return;
    const type = res.headers()['content-type'] || '';
    if (!/json|text|javascript|html/.test(type)) return;
    try { responses.push({ url: res.url(), status: res.status(), text: await res.text() }); } catch { /* navigated away */ }
  });
  return { context, page, consoleErrors, blocked, responses };
}

/**
 * A README picture: taken on every run (so its scene is exercised), written over
 * the tracked file in docs/images only when asked (UPDATE_SCREENSHOTS=1).
 * `options` go to page.screenshot (e.g. fullPage).
 */
async function readmePicture(page, name, options = {}) {
  if (!process.env.UPDATE_SCREENSHOTS) {
    await page.screenshot(options);
    return;
  }
  fs.mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ ...options, path: path.join(IMAGES, name) });
  console.log(`      updated docs/images/${name}`);
}

module.exports = { launchBrowser, openPage, readmePicture, EXECUTABLE };
