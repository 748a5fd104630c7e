// Drives the CopyTrader dashboard in headless Chromium (Debian's, through playwright-core) against a running engine
// and paper venue. Prints one JSON line with what it saw; the JUnit test (DashboardBrowserTest) judges it.
// Usage: node dashboard-check.cjs <dashboardUrl> <venueUrl> <trader> <screenshot.png>
'use strict';
const { withBrowser } = require('./browser.cjs');

const [dashboardUrl, venueUrl, trader, screenshot] = process.argv.slice(2);

async function admin(method, p, body) {
  const r = await fetch(venueUrl + p, {
    method, headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) { throw new Error('venue admin ' + method + ' ' + p + ' answered ' + r.status); }
}

withBrowser(async (page, result) => {
  result.consoleErrors = [];
  result.steps = [];
  page.on('console', (m) => { if (m.type() === 'error') { result.consoleErrors.push(m.text()); } });
  page.on('pageerror', (e) => result.consoleErrors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => {
    if (!r.url().endsWith('/events')) { result.consoleErrors.push('request failed: ' + r.url()); }
  });

  // 1. the page connects to the live stream and shows the breaker closed
  await page.goto(dashboardUrl, { waitUntil: 'load' });
  await page.waitForSelector('#connection[data-state="live"]', { timeout: 60000 });
  await page.waitForSelector('#tile-breaker[data-state="CLOSED"]', { timeout: 60000 });
  result.steps.push('live');

  // 2. the target trades once: the trade appears in the table
  const before = await page.locator('#trades tbody tr').count();
  const emitted = Date.now();
  await admin('POST', '/admin/traders/' + encodeURIComponent(trader) + '/emit', { count: 1 });
  // (locators, not waitForFunction: the page's Content-Security-Policy forbids evaluating strings)
  await page.locator('#trades tbody tr').nth(before).waitFor({ timeout: 60000 });
  const shown = Date.now();
  result.newTradeMs = shown - emitted;
  // the dashboard's own part: from the trade's outcome being recorded by the engine to the row on screen
  result.shownAfterOutcomeMs = shown - Date.parse(await page.locator('#trades tbody tr').first().getAttribute('data-ended'));
  result.firstRow = await page.locator('#trades tbody tr').first().innerText();

  // 3. the venue fails every order: the breaker tile turns OPEN
  await admin('POST', '/admin/faults', { kind: 'HTTP_5XX', probability: 1.0 });
  const failing = Date.now();
  await admin('POST', '/admin/traders/' + encodeURIComponent(trader) + '/emit', { count: 6 });
  await page.waitForSelector('#tile-breaker[data-state="OPEN"]', { timeout: 60000 });
  result.breakerOpenMs = Date.now() - failing;
  result.breakerText = await page.locator('#breaker-state').innerText();
  await page.locator('#tile-dead-letters[data-state="some"]').waitFor({ timeout: 30000 });
  result.deadLetters = await page.locator('#dead-letters').innerText();
  await page.screenshot({ path: screenshot, fullPage: false });
  result.steps.push('screenshot');
});
