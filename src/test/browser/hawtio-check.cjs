// Drives Hawtio (hawtio-app, its own process) in headless Chromium to the engine's trading figures in the JMX tab,
// the breaker's configuration, and a thread dump (Runtime > Threads). Prints one JSON line; HawtioBrowserTest judges.
// Usage: node hawtio-check.cjs <hawtioUrl> <jolokiaPort> <screenshot.png>
'use strict';
const { withBrowser } = require('./browser.cjs');

const [hawtio, jolokiaPort, screenshot] = process.argv.slice(2);

async function text(page) {
  return page.locator('body').innerText();
}

withBrowser(async (page, result) => {
  // 1. the connection Hawtio's Connect tab would save (Connect > Add connection: host, port, path), then open it
  await page.goto(hawtio + '/hawtio/', { waitUntil: 'load' });
  await page.evaluate((port) => localStorage.setItem('jvmConnect', JSON.stringify([{
    name: 'copytrader', scheme: 'http', host: '127.0.0.1', port: Number(port), path: '/observe/jolokia', useProxy: true,
  }])), jolokiaPort);

  // 2. JMX > io.copytrader > Trading > figures
  await page.goto(hawtio + '/hawtio/jmx/attributes?con=copytrader&nid=root-io.copytrader-Trading-figures');
  await page.getByText('Trades copied', { exact: true }).waitFor({ timeout: 90000 });
  await page.getByText('Cash usd', { exact: true }).waitFor({ timeout: 30000 });
  result.figures = await text(page);
  await page.screenshot({ path: screenshot });

  // 3. JMX > io.copytrader > CircuitBreaker > exchange-orders: the configuration it really runs with
  await page.goto(hawtio + '/hawtio/jmx/attributes?con=copytrader&nid=root-io.copytrader-CircuitBreaker-exchange-orders');
  await page.getByText('Sliding window size', { exact: true }).waitFor({ timeout: 90000 });
  result.breaker = await text(page);

  // 4. Runtime > Threads: the table comes from dumpAllThreads(boolean,boolean) through Jolokia
  await page.goto(hawtio + '/hawtio/runtime/threads?con=copytrader');
  await page.getByText('copytrader-fill-window-checker', { exact: true }).first().waitFor({ timeout: 90000 });
  result.threads = await text(page);
});
