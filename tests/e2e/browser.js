// What both war-room browser tests share: the book they talk to (from the
// environment) and Debian's chromium launched headless by playwright-core,
// with a page that collects uncaught page errors.
'use strict';
const { chromium } = require('playwright-core');

const URL = process.env.WARROOM_URL;
const TOKEN = process.env.WARROOM_TOKEN;
if (!URL || !TOKEN) {
  console.error('set WARROOM_URL and WARROOM_TOKEN');
  process.exit(2);
}

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A page of the usual size; uncaught errors thrown in it go to `errors`.
async function newPage(browser, errors, timeoutMs) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.setDefaultTimeout(timeoutMs);
  return page;
}

module.exports = { URL, TOKEN, launch, newPage };
