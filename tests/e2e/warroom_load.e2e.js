// The war room under load in a real browser (issue 6: "the page must stay
// responsive with 1,000 markets in the book and 10 updates per second per
// market"). Run by tests/integration/test_warroom_load.py against a book of
// 1,000+ markets whose simulated feeds refresh every market ten times a
// second. It opens the page, lets the stream run, and measures:
//  - the time to apply one snapshot (the page's own performance.now() around
//    render(), kept in window.warroomStats);
//  - input delay: a click handler's start minus the click event's timestamp,
//    for clicks made while snapshots keep arriving;
//  - long tasks (PerformanceObserver 'longtask') over the measuring window.
// It checks behaviour only (ten rows, snapshots applied, every click
// handled) and prints the figures as one JSON line prefixed "[load] ".
'use strict';
const { URL, TOKEN, launch, newPage } = require('./browser');

const SECONDS = Number(process.env.WARROOM_LOAD_SECONDS || '20');
const CLICKS = Number(process.env.WARROOM_LOAD_CLICKS || '40');

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
const quantile = (xs, q) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : null;
};

(async () => {
  const browser = await launch();
  const errors = [];
  try {
    const page = await newPage(browser, errors, 20000);
    await page.goto(URL + '/');
    await page.locator('#token-dialog[open]').waitFor();
    await page.fill('#token-input', TOKEN);
    await page.click('#token-ok');
    await page.waitForFunction(() => document.querySelectorAll('#board tbody tr').length === 10);
    await page.locator('#conn.on').waitFor();

    // Start measuring: long tasks, and a click handler that records its delay.
    await page.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
      window.__clicks = [];
      document.querySelector('#clock').addEventListener('click', (ev) => {
        window.__clicks.push(performance.now() - ev.timeStamp);
      });
      window.__renders0 = window.warroomStats.renders;
    });
    const t0 = Date.now();
    let clicks = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      if (clicks < CLICKS) {
        await page.click('#clock', { force: true });
        ++clicks;
      }
      await page.waitForTimeout((SECONDS * 1000) / CLICKS);
    }
    const r = await page.evaluate(() => ({
      renders: window.warroomStats.renders - window.__renders0,
      render_ms: window.warroomStats.render_ms.slice(),
      frame_chars: window.warroomStats.frame_chars.slice(),
      clicks: window.__clicks.slice(),
      long: window.__long.slice(),
      rows: document.querySelectorAll('#board tbody tr').length,
    }));
    if (r.rows !== 10) throw new Error(`the board shows ${r.rows} rows, not 10 (the page's default)`);
    if (r.renders < SECONDS / 2) throw new Error(`only ${r.renders} snapshots applied in ${SECONDS} s`);
    if (r.clicks.length !== clicks) throw new Error(`${r.clicks.length} of ${clicks} clicks handled`);
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    const out = {
      seconds: SECONDS,
      snapshots_applied: r.renders,
      render_ms_median: median(r.render_ms),
      render_ms_p95: quantile(r.render_ms, 0.95),
      render_ms_max: Math.max(...r.render_ms),
      frame_chars_median: median(r.frame_chars),
      clicks: r.clicks.length,
      input_delay_ms_median: median(r.clicks),
      input_delay_ms_max: Math.max(...r.clicks),
      long_tasks: r.long.length,
      long_task_ms_max: r.long.length ? Math.max(...r.long) : 0,
    };
    console.log(`[load] ${JSON.stringify(out)}`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(`[load] FAILED: ${e.stack || e}`);
  process.exit(1);
});
