// The war room in a real browser: Debian's chromium, headless, driven by
// playwright-core (no browser download). Run by tests/integration/test_warroom.py
// against `inplay demo --clock real`; by hand:
//   WARROOM_URL=http://127.0.0.1:8080 WARROOM_TOKEN=<operator token> \
//   WARROOM_CHANNEL_TOKEN=<channel token> node tests/e2e/warroom.e2e.js
// Steps: a wrong token gets 401 and the token dialog again; the right one
// shows five markets whose prices change and a market's accept p99 and bets
// per second; "Switch to backup" (confirmed) changes the active football feed
// in the page and in GET /v1/feeds, and back, and both switches are action
// marks on the charts; a cancelled confirm changes nothing; Suspend then
// Reopen, and a stake cap set then cleared, on the open market of most
// liability (each confirmed, each seen in the page and in GET
// /v1/markets/{id}; it prints "market controls done on market <id>" for the
// audit check); bets placed through the API (with the channel token) give the
// latency chart exemplars, and a click on that chart point opens its
// exemplar trace (gateway and engine spans); an EPL schema skew on the
// primary feed opens an incident on the page, with a red mark on the charts
// where its alert fired and a blue one where its playbook acted; a
// screenshot goes to WARROOM_SCREENSHOT (default build/warroom.png).
'use strict';
const path = require('path');
const { URL, TOKEN, launch, newPage } = require('./browser');

const CHANNEL = process.env.WARROOM_CHANNEL_TOKEN;  // places bets (optional)
const SHOT = process.env.WARROOM_SCREENSHOT || path.join(__dirname, '..', '..', 'build', 'warroom.png');

function step(msg) { console.log(`[e2e] ${msg}`); }

async function api(method, p, body, extra) {
  const r = await fetch(URL + p, {
    method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, data: await r.json() };
}

// Bets through the HTTP API, each with its gateway span (the demo's simulated
// bettors place theirs on the engine thread, without one: no exemplar). The
// promises of their answers (an in-play bet answers after its 5 s delay).
async function placeBets(n) {
  const snap = (await api('GET', '/v1/warroom/snapshot')).data;
  const m = snap.markets.find((x) => x.status === 'open' && x.selections.every((s) => s.odds));
  if (!m) throw new Error('no open, priced market on the board to bet on');
  const sel = m.selections[0];
  const bets = [];
  for (let i = 0; i < n; ++i) {
    bets.push(api('POST', '/v1/bets', { account: 'alice', selection_id: sel.selection_id, stake: 100, currency: 'GBP',
      odds: sel.odds, price_change: 'any' }, { Authorization: `Bearer ${CHANNEL}`, 'Idempotency-Key': `e2e-${Date.now()}-${i}` }));
  }
  return bets;
}

// Confirms the open dialog after checking what it says it will do.
async function confirm(page, expect, reason) {
  await page.locator('#confirm-dialog[open]').waitFor();
  const text = await page.textContent('#confirm-text');
  if (!text.startsWith(expect)) throw new Error(`the confirm dialog says "${text}", expected "${expect}..."`);
  if (reason) await page.fill('#confirm-reason', reason);
  await page.click('#confirm-ok');
}

// The board's market controls, as an operator uses them: suspend the open
// market of most liability and reopen it, then set its stake cap and clear
// it; each confirmed, each checked in the page and in GET /v1/markets/{id}.
async function marketControls(page) {
  const row = page.locator('#board tbody tr').filter({ has: page.locator('td.status-cell .status-open') }).first();
  const id = await row.getAttribute('data-market');
  const tr = page.locator(`#board tbody tr[data-market="${id}"]`);
  const market = async () => (await api('GET', `/v1/markets/${id}`)).data;

  await tr.locator('button[data-action="status"]').click();
  await confirm(page, `Suspend market ${id}`, 'e2e: suspended from the war room');
  await tr.locator('td.status-cell .status-suspended').waitFor({ timeout: 10000 });
  let m = await market();
  if (m.status !== 'suspended' || m.status_reason !== 'e2e: suspended from the war room')
    throw new Error(`after Suspend the API says ${m.status} (${m.status_reason})`);
  if ((await tr.locator('button[data-action="status"]').textContent()) !== 'Reopen') throw new Error('no Reopen button');
  await tr.locator('button[data-action="status"]').click();
  await confirm(page, `Reopen market ${id}`, 'e2e: reopened');
  await tr.locator('td.status-cell .status-open').waitFor({ timeout: 10000 });
  m = await market();
  if (m.status !== 'open') throw new Error(`after Reopen the API says ${m.status}`);

  await tr.locator('input[aria-label="stake cap"]').fill('5000');
  await tr.locator('button[data-action="stake-cap"]').click();
  await confirm(page, `Set the stake cap of market ${id} to`);
  await page.waitForFunction((mid) => /cap \d/.test(
    document.querySelector(`#board tbody tr[data-market="${mid}"] td.status-cell`).textContent), id, { timeout: 10000 });
  if ((await market()).stake_cap !== 5000) throw new Error('the API does not show the stake cap of 5000');
  await tr.locator('input[aria-label="stake cap"]').fill('0');
  await tr.locator('button[data-action="stake-cap"]').click();
  await confirm(page, `Set the stake cap of market ${id} to none`);
  await page.waitForFunction((mid) => !/cap \d/.test(
    document.querySelector(`#board tbody tr[data-market="${mid}"] td.status-cell`).textContent), id, { timeout: 10000 });
  if ((await market()).stake_cap !== 0) throw new Error('the API still shows a stake cap');
  return id;
}

async function clickLatencyExemplar(page) {
  await page.waitForFunction(() => last && last.series.exemplar.some(Boolean), null, { timeout: 30000 });
  // The newest point with an exemplar, in the page's pixels.
  const pos = await page.evaluate(() => {
    const el = document.querySelector('#chart-latency');
    const s = last.series;
    let i = s.exemplar.length - 1;
    while (!s.exemplar[i]) --i;
    const t0 = Number(el.dataset.t0), t1 = Number(el.dataset.t1);
    const xv = PAD + ((s.t_ms[i] - t0) / (t1 - t0)) * (W - PAD - 4);
    const box = el.getBoundingClientRect();
    return { x: box.left + (xv / W) * box.width, y: box.top + box.height / 2 };
  });
  await page.mouse.click(pos.x, pos.y);
  await page.locator('#trace-panel:not([hidden])').waitFor();
  await page.waitForFunction(() => /exemplar trace of/.test(document.querySelector('#log').textContent));
  const id = (await page.textContent('#trace-id')).trim();
  const exemplars = await page.evaluate(() => last.series.exemplar.filter(Boolean));
  if (!exemplars.includes(id)) throw new Error(`the trace panel shows ${id}, not an exemplar of the series`);
  const names = await page.$$eval('#trace .trace-row > span:first-child', (els) => els.map((e) => e.firstChild.textContent.trim()));
  if (!names.includes('gateway') || !names.includes('risk'))
    throw new Error(`exemplar trace ${id} shows spans ${names.join(', ')}: no gateway and risk spans`);
  const t = await api('GET', `/v1/traces/${id}`);
  if (t.status !== 200) throw new Error(`GET /v1/traces/${id}: ${t.status}`);
  return `${id}: ${names.join(', ')}`;
}

async function switchFeed(page, to) {
  const btn = page.locator('button[data-switch="football"]');
  await btn.waitFor();
  const label = await btn.textContent();
  if (label !== `Switch to ${to}`) throw new Error(`the switch button says "${label}", expected "Switch to ${to}"`);
  await btn.click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.click('#confirm-ok');
  const want = `football-${to}`;
  await page.waitForFunction((w) => {
    const el = document.querySelector('[data-sport="football"] .active');
    return el && el.textContent === w;
  }, want, { timeout: 10000 });
  const feeds = await api('GET', '/v1/feeds');
  const active = feeds.data.sports.find((s) => s.sport === 'football').active;
  if (active !== want) throw new Error(`GET /v1/feeds says ${active}, the page ${want}`);
  step(`active football feed is ${want} in the page and the API`);
}

(async () => {
  const browser = await launch();
  const errors = [];
  try {
    const page = await newPage(browser, errors, 15000);
    page.on('console', (m) => { if (m.type() === 'error' && !/401|403/.test(m.text())) errors.push(m.text()); });
    await page.goto(URL + '/');

    step('a wrong token: 401, the dialog asks again');
    await page.locator('#token-dialog[open]').waitFor();
    await page.fill('#token-input', 'not-the-token');
    await page.click('#token-ok');
    await page.waitForFunction(() => /401/.test(document.querySelector('#token-error').textContent));
    if (await page.locator('#board tbody tr').count() !== 0) throw new Error('the board filled without a valid token');

    step('the operator token: five markets whose prices change');
    await page.fill('#token-input', TOKEN);
    await page.click('#token-ok');
    await page.waitForFunction(() => document.querySelectorAll('#board tbody tr').length === 5);
    await page.locator('#conn.on').waitFor();
    // The demo's bettors reshuffle the top five; wait until a selection still
    // on the board shows a different price than it first did.
    await page.evaluate(() => {
      window.__firstOdds = new Map();
      window.__moved = null;
      const look = () => {
        for (const e of document.querySelectorAll('#board tbody tr .price')) {
          const id = e.dataset.selection, odds = e.textContent;
          if (!odds || odds === '–') continue;
          const first = window.__firstOdds.get(id);
          if (first === undefined) window.__firstOdds.set(id, odds);
          else if (first !== odds && !window.__moved) window.__moved = `selection ${id}: ${first} -> ${odds}`;
        }
      };
      look();
      new MutationObserver(look).observe(document.querySelector('#board tbody'), { subtree: true, childList: true, characterData: true });
    });
    await page.waitForFunction(() => window.__moved && document.querySelectorAll('#board tbody tr').length === 5,
      null, { timeout: 30000 });
    step(`prices move: ${await page.evaluate(() => window.__moved)}`);
    // The demo's bettors bet on the markets of most liability: a row shows its
    // accept p99 (last minute) and bets per second.
    await page.waitForFunction(() => [...document.querySelectorAll('#board td.bets')]
      .some((td) => /^(\d+ µs|\d+\.\d ms) · \d+\.\d\/s$/.test(td.textContent)), null, { timeout: 30000 });
    step(`accept p99 · bets/s: ${await page.locator('#board td.bets').first().textContent()}`);
    const seq0 = await page.textContent('#clock');
    await page.waitForFunction((s) => document.querySelector('#clock').textContent !== s, seq0, { timeout: 3000 });
    if (await page.locator('#slos tbody tr').count() < 1) throw new Error('no SLO rows');

    step('switch football to the backup feed, and back');
    await switchFeed(page, 'backup');
    await switchFeed(page, 'primary');
    // Both switches are operator actions: blue marks on the charts, named in their tooltips.
    await page.waitForFunction(() => [...document.querySelectorAll('#chart-latency line.mark.action title')]
      .filter((t) => /switch football feed \(operator:/.test(t.textContent)).length >= 2, null, { timeout: 5000 });
    step('the charts mark both switches as actions');

    step('a cancelled confirm changes nothing');
    const firstRow = page.locator('#board tbody tr').first();
    const status0 = await firstRow.locator('td.status-cell').textContent();
    await firstRow.locator('button[data-action="status"]').click();
    await page.locator('#confirm-dialog[open]').waitFor();
    await page.click('#confirm-cancel');
    await page.waitForTimeout(1500);
    if ((await firstRow.locator('td.status-cell').textContent()).split(' ')[0] !== status0.split(' ')[0])
      throw new Error('cancel changed the market');

    step('suspend and reopen a market, set and clear its stake cap (each confirmed)');
    step(`market controls done on market ${await marketControls(page)}`);

    if (CHANNEL) {
      step('bets through the API; a click on the latency chart opens the exemplar trace of that point');
      // Answered (after the in-play delay): their traces are complete and kept.
      const answers = await Promise.all(await placeBets(4));
      step(`bets answered ${answers.map((b) => b.status).join(', ')}`);
      step(`exemplar trace ${await clickLatencyExemplar(page)}`);
    }

    step('an EPL schema skew on the primary feed: the incident appears');
    const fault = await api('POST', '/v1/sim/feeds/football-primary/faults',
      { skew_leagues: ['EPL'], skew_mode: 'version', skew_version: '2.0' });
    if (fault.status !== 200) throw new Error(`fault: ${fault.status} ${JSON.stringify(fault.data)}`);
    await page.locator('#incidents .incident').first().waitFor({ timeout: 30000 });
    step(`incident: ${(await page.textContent('#incidents .incident h3')).trim()}`);
    // The alert that fired is a red mark on the charts; its playbook's action a blue one.
    await page.locator('#chart-latency line.mark.alert').first().waitFor({ state: 'attached', timeout: 10000 });
    await page.waitForFunction(() => [...document.querySelectorAll('#chart-stale line.mark.action title')]
      .some((t) => /\(playbook:/.test(t.textContent)), null, { timeout: 20000 });
    step(`marks: ${await page.locator('#chart-latency line.mark.alert').count()} alert, `
      + `${await page.locator('#chart-latency line.mark.action').count()} action`);
    await page.waitForTimeout(1500);  // one more snapshot: contained actions and chart marks
    await page.screenshot({ path: SHOT, fullPage: true });
    step(`screenshot ${SHOT}`);
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(`[e2e] FAILED: ${e.stack || e}`);
  process.exit(1);
});
