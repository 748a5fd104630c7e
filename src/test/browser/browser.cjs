// Shared by the browser checks: headless Chromium (Debian's, CHROMIUM_BIN) through playwright-core, a fresh profile
// each run, and one JSON line on stdout with what the check saw.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs check(page, result) in a fresh browser; prints result (with .error if the check threw) as JSON. */
async function withBrowser(check) {
  const result = {};
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'copytrader-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', headless: true, args: ARGS,
    viewport: { width: 1280, height: 800 },
  });
  try {
    await check(context.pages()[0] || await context.newPage(), result);
  } catch (e) {
    result.error = String(e && e.stack || e);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

module.exports = { withBrowser };
