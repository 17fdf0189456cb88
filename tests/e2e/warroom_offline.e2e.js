// The war room when the book goes away (issue 21, item 1): run by
// tests/integration/test_warroom.py, which passes the book's process id in
// WARROOM_KILL_PID. The page goes live; then the book is stopped (SIGTERM)
// and within a few seconds the page greys out, says "Offline since
// HH:MM:SS" and the book time of the last update it shows, the badge says
// offline, and the log says so once (not a line per second of retrying).
// Screenshot: WARROOM_SCREENSHOT (build/warroom-offline.png).
'use strict';
const path = require('path');
const { URL, TOKEN, launch, newPage } = require('./browser');

const PID = Number(process.env.WARROOM_KILL_PID);
const SHOT = process.env.WARROOM_SCREENSHOT || path.join(__dirname, '..', '..', 'build', 'warroom-offline.png');

function step(msg) { console.log(`[e2e] ${msg}`); }

(async () => {
  if (!PID) throw new Error('set WARROOM_KILL_PID to the book process to stop');
  const browser = await launch();
  const errors = [];
  try {
    const page = await newPage(browser, errors, 15000);
    await page.goto(URL + '/');
    await page.fill('#token-input', TOKEN);
    await page.click('#token-ok');
    await page.waitForFunction(() => document.querySelectorAll('#board tbody tr').length > 0);
    await page.locator('#conn.on').waitFor();
    if (await page.evaluate(() => document.body.classList.contains('offline') || !document.querySelector('#offline-banner').hidden))
      throw new Error('the page says offline while live');
    const lastBook = await page.evaluate(() => last.now.slice(11, 19));
    step(`live; stopping the book (pid ${PID}) at book time ${lastBook}`);
    process.kill(PID, 'SIGTERM');
    const stopped = Date.now();
    await page.waitForFunction(() => document.body.classList.contains('offline'), null, { timeout: 8000 });
    step(`offline shown ${((Date.now() - stopped) / 1000).toFixed(1)} s after the stop`);
    const banner = (await page.textContent('#offline-banner')).replace(/\s+/g, ' ').trim();
    if (!/Offline since \d\d:\d\d:\d\d \(\d+ s ago\)/.test(banner)) throw new Error(`the banner says "${banner}"`);
    const shownLast = await page.textContent('#offline-last');
    const snapNow = await page.evaluate(() => last.now.slice(11, 19));
    if (shownLast !== snapNow) throw new Error(`the banner names the last update ${shownLast}, the page holds ${snapNow}`);
    if ((await page.textContent('#conn')) !== 'offline') throw new Error('the badge does not say offline');
    // The board is greyed out, not shown as live.
    const style = await page.evaluate(() => getComputedStyle(document.querySelector('main')).filter + ' ' +
      getComputedStyle(document.querySelector('main')).opacity);
    if (!/grayscale\(1\)/.test(style) || Number(style.split(' ').pop()) >= 1) throw new Error(`the board is not greyed out: ${style}`);
    // Retrying is quiet: one line says the stream was lost, not one a second.
    await page.waitForTimeout(4000);
    const lines = await page.$$eval('#log li', (li) => li.map((x) => x.textContent).filter((t) => /stream/.test(t)));
    if (lines.length !== 1) throw new Error(`the log has ${lines.length} stream lines after 4 s offline: ${lines.join(' | ')}`);
    const later = (await page.textContent('#offline-for')).trim();
    if (!/^\d+ s ago$/.test(later) || Number(later.split(' ')[0]) < 4) throw new Error(`"offline for" says ${later}`);
    await page.screenshot({ path: SHOT, fullPage: true });
    step(`banner: "${banner.slice(0, 120)}"; screenshot ${SHOT}`);
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(`[e2e] FAILED: ${e.stack || e}`);
  process.exit(1);
});
