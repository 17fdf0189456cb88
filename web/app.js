// Inplay war room: one live stream of snapshots (GET /v1/warroom/stream,
// Server-Sent Events read with fetch() because EventSource cannot send the
// Authorization header), drawn into a board of markets, the firing alerts,
// incidents, two charts, feeds and SLOs. Controls call the same operator API
// the playbooks call, each after a confirm step whose one submit button is
// the action it names (Enter confirms it; Cancel and Escape do nothing).
// When the stream is lost the page greys out and says since when: old data
// is never shown as live. Money is always shown with its currency. Plain
// JS, no framework, no build step.
'use strict';

const TOKEN_KEY = 'inplay.operatorToken';
const $ = (sel) => document.querySelector(sel);
let token = sessionStorage.getItem(TOKEN_KEY) || '';
let last = null;            // latest snapshot
let stream = null;          // AbortController of the open stream
let lastFrameAt = 0;
let offlineSince = 0;       // wall ms the stream was lost; 0 while live
const rows = new Map();     // market id -> row state
const incidentCards = new Map();  // incident id -> {digest, el, details}
// What applying snapshots costs here (read by tests/e2e/warroom_load.e2e.js):
// snapshots applied, and the last 120 frames' lengths (characters) and parse+render times.
window.warroomStats = { renders: 0, render_ms: [], frame_chars: [] };
function keepLast(a, v) { a.push(v); if (a.length > 120) a.shift(); }

// --- small DOM helper -------------------------------------------------------
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v;  // CSSOM: allowed by the page's CSP
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids.flat(Infinity)) if (c !== null && c !== undefined && c !== false)
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// --- units ------------------------------------------------------------------
// Money: minor units of the book's currency, always shown with its sign or
// code (the same rule as format_money in src/core/money.h).
const moneyFormats = new Map();
function money(minor) {
  const cur = (last && last.currency) || 'GBP';
  if (!moneyFormats.has(cur)) {
    moneyFormats.set(cur, new Intl.NumberFormat('en-GB', { style: 'currency', currency: cur, currencyDisplay: 'narrowSymbol',
      minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  }
  return moneyFormats.get(cur).format(minor / 100);
}
// A latency in µs as text: µs under a millisecond, else ms with one decimal.
const micros = (us) => (us === null || us === undefined ? '–' : us < 1000 ? `${us} µs` : `${(us / 1000).toFixed(1)} ms`);
const millis = (ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`);
// A share as a percentage with as many decimals as it needs (99.5 %, 99.9999 %).
function pct(x, decimals) {
  const v = Number(x) * 100;
  if (decimals !== undefined) return `${v.toFixed(decimals)} %`;
  return `${Number(v.toFixed(4))} %`;
}
function span(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 3 * 86400) return `${Number((seconds / 3600).toFixed(1))} h`;
  return `${Number((seconds / 86400).toFixed(1))} d`;
}
const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '–');
const clockOf = (ms) => new Date(ms).toISOString().slice(11, 19);

function log(msg, error) {
  const li = h('li', { class: error ? 'error' : '' }, `${new Date().toISOString().slice(11, 19)} ${msg}`);
  $('#log').prepend(li);
  while ($('#log').children.length > 50) $('#log').lastChild.remove();
}

// --- token ------------------------------------------------------------------
function askToken(msg) {
  $('#token-error').textContent = msg || '';
  const d = $('#token-dialog');
  if (!d.open) d.showModal();
  $('#token-input').focus();
}
$('#token-form').addEventListener('submit', () => {
  token = $('#token-input').value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#token-input').value = '';
  connect();
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  token = '';
  if (stream) stream.abort();
  stream = null;
  setConn(false);
  askToken();
});

// --- API calls --------------------------------------------------------------
async function api(method, path, body) {
  const opts = { method, headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (_) { /* not JSON */ }
  if (r.status === 401) askToken('The token was refused (401): nothing was changed.');
  return { status: r.status, ok: r.ok, data };
}

function describeError(r) {
  return r.data && r.data.error ? `${r.status} ${r.data.error.code}: ${r.data.error.message}` : `HTTP ${r.status}`;
}

// Every control: confirm first, then call, then log the outcome. The confirm
// button says what it does (`verb`); Enter in the reason field presses it.
let pending = null;  // {text, run} of the open confirm dialog
function confirmAction(text, verb, run) {
  const d = $('#confirm-dialog');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = verb;
  $('#confirm-reason').value = '';
  d.returnValue = '';
  pending = { text, run };
  d.showModal();
  $('#confirm-reason').focus();
}
$('#confirm-cancel').addEventListener('click', () => $('#confirm-dialog').close('cancel'));
$('#confirm-dialog').addEventListener('close', async () => {
  const d = $('#confirm-dialog');
  const p = pending;
  pending = null;
  if (!p || d.returnValue !== 'ok') return;
  const reason = $('#confirm-reason').value.trim() || 'war room';
  try {
    const r = await p.run(reason);
    log(`${p.text.replace(/\?$/, '')} → ${r.ok ? 'done' : describeError(r)}`, !r.ok);
  } catch (e) {
    log(`${p.text.replace(/\?$/, '')} → ${e.message}`, true);
  }
});

// --- the stream and the offline state ---------------------------------------
function setConn(on) {
  const c = $('#conn');
  c.className = `conn ${on ? 'on' : 'off'}`;
  c.textContent = on ? 'live' : 'offline';
  if (on) {
    if (offlineSince) log(`stream back after ${span((Date.now() - offlineSince) / 1000)} offline`);
    offlineSince = 0;
  } else if (!offlineSince && token) {
    offlineSince = Date.now();
    log('stream lost: the page is offline until it is back', true);
  }
  showOffline();
}

// Greys the page out and says since when, so a trader never reads a frozen
// board as live. Runs on every change and every second while offline.
function showOffline() {
  const off = !!offlineSince && !!last;
  document.body.classList.toggle('offline', off);
  $('#offline-banner').hidden = !off;
  if (!off) return;
  $('#offline-since').textContent = clockOf(offlineSince);
  $('#offline-for').textContent = `${span((Date.now() - offlineSince) / 1000)} ago`;
  $('#offline-last').textContent = last.now.slice(11, 19);
}

async function connect() {
  if (!token) return askToken();
  if (stream) stream.abort();
  const ctl = new AbortController();
  stream = ctl;
  try {
    const r = await fetch('/v1/warroom/stream', {
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: ctl.signal, cache: 'no-store',
    });
    if (r.status === 401) {
      stream = null;
      setConn(false);
      return askToken('The token was refused (401).');
    }
    if (!r.ok) throw new Error(`stream answered HTTP ${r.status}`);
    lastFrameAt = Date.now();
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        onFrame(frame);
      }
    }
  } catch (e) {
    if (ctl.signal.aborted && stream !== ctl) return;  // replaced by a newer stream
  }
  if (stream !== ctl) return;
  setConn(false);
  setTimeout(() => { if (stream === ctl) connect(); }, 1000);
}

function onFrame(frame) {
  let event = 'message';
  const data = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return;
  if (event === 'error') return log(`stream refused: ${data.join('')}`, true);
  if (event !== 'snapshot') return;
  lastFrameAt = Date.now();
  try {
    const text = data.join('\n');
    const t0 = performance.now();
    render(JSON.parse(text));
    if (offlineSince || $('#conn').textContent !== 'live') setConn(true);
    const stats = window.warroomStats;
    stats.renders += 1;
    keepLast(stats.render_ms, performance.now() - t0);
    keepLast(stats.frame_chars, text.length);
  } catch (e) {
    log(`render: ${e.message}`, true);
  }
}

// On the real clock a snapshot comes every second: 5 s of silence means a
// dead stream (the page goes offline and reconnects).
setInterval(() => {
  if (stream && last && last.clock === 'real' && !offlineSince && Date.now() - lastFrameAt > 5000) {
    setConn(false);
    connect();
  }
  showOffline();
}, 1000);

// --- rendering --------------------------------------------------------------
function render(s) {
  last = s;
  $('#clock').textContent = `book time ${s.now.slice(11, 19)} UTC · #${s.seq}`;
  renderBoard(s);
  renderAlerts(s.alerts);
  renderIncidents(s.incidents ? s.incidents.incidents : []);
  renderCharts(s);
  renderFeeds(s.feeds);
  renderSettlement(s.settlement);
  renderHedging(s.hedging);
  renderPayments(s.payments);
  renderJournal(s.journal);
  renderSlos(s.slos);
  const a = s.accept;
  $('#accept-now').textContent = a.count ? `now p50 ${micros(a.p50_us)} · p99 ${micros(a.p99_us)} (${a.count} bets, 5 min)` : 'no bets yet';
}

// A runner by the name a trader uses: the teams for a match result, Over /
// Under, Yes / No.
function runnerName(m, sel) {
  if (m.type === 'match_result') return sel.name === 'home' ? m.home : sel.name === 'away' ? m.away : 'Draw';
  return sel.name.charAt(0).toUpperCase() + sel.name.slice(1);
}

// "1–1 · 67′", "HT 0–0", "kicks off 15:30", "full time 2–1".
function matchLine(m) {
  const score = m.score ? `${m.score.home}–${m.score.away}` : null;
  if (m.event_state === 'pre_match') return [`kicks off ${clockOf(m.kickoff_ms).slice(0, 5)}`];
  if (m.period === 'half_time') return [h('span', { class: 'minute' }, 'HT'), ' ', score ? h('span', { class: 'score' }, score) : ''];
  if (m.event_state === 'ended' || m.period === 'ended') return ['full time ', score ? h('span', { class: 'score' }, score) : ''];
  return [score ? h('span', { class: 'score' }, score) : 'in play',
    m.minute !== null && m.minute !== undefined ? [' · ', h('span', { class: 'minute' }, `${m.minute}′`)] : ''];
}

function marketRow(m) {
  const r = { id: m.market_id, prices: new Map() };
  r.name = h('td');
  r.runners = h('div', { class: 'runners' });
  r.liability = h('td', { class: 'liability num' });
  r.ageBar = h('div', { class: 'agebar' }, h('i'));
  r.health = h('div', { class: 'health' });
  r.status = h('td', { class: 'status-cell' });
  r.suspend = h('button', { type: 'button', 'data-action': 'status' });
  r.cashout = h('button', { type: 'button', 'data-action': 'cashout' });
  r.cap = h('input', { type: 'number', min: 0, step: '0.01', placeholder: 'cap £', 'aria-label': 'stake cap per bet' });
  const capBtn = h('button', { type: 'button', 'data-action': 'stake-cap' }, 'Set cap');
  const what = () => `market ${r.id} (${r.m.event}, ${r.m.name})`;
  r.suspend.addEventListener('click', () => {
    const open = r.m.status === 'open';
    confirmAction(`${open ? 'Suspend' : 'Reopen'} ${what()}?`, open ? 'Suspend market' : 'Reopen market', (reason) =>
      api('POST', `/v1/markets/${r.id}/status`, { status: open ? 'suspended' : 'open', reason }));
  });
  r.cashout.addEventListener('click', () => {
    const freeze = !r.m.cashout_frozen;
    confirmAction(`${freeze ? 'Freeze' : 'Unfreeze'} cash-out on ${what()}?`, freeze ? 'Freeze cash-out' : 'Unfreeze cash-out',
      (reason) => api('POST', `/v1/markets/${r.id}/cashout`, { frozen: freeze, reason }));
  });
  // The cap is typed in the book's currency (pounds), sent in minor units.
  capBtn.addEventListener('click', () => {
    const typed = r.cap.value.trim();
    const major = Number(typed);
    if (typed === '' || !Number.isFinite(major) || major < 0 || Math.round(major * 100) !== Number((major * 100).toFixed(6)))
      return log(`stake cap: an amount in ${(last && last.currency) || 'GBP'} with at most 2 decimals (0 clears it)`, true);
    const cap = Math.round(major * 100);
    r.cap.value = '';
    confirmAction(`Set the stake cap of ${what()} to ${cap ? `${money(cap)} per bet` : 'none'}?`, cap ? 'Set cap' : 'Clear cap', () =>
      api('POST', `/v1/markets/${r.id}/stake-cap`, { cap }));
  });
  r.tr = h('tr', { 'data-market': m.market_id }, r.name, h('td', {}, r.runners), r.liability,
    h('td', {}, r.ageBar, r.health), r.status,
    h('td', {}, h('div', { class: 'controls' }, r.suspend, r.cashout, h('span', { class: 'cap' }, r.cap, capBtn))));
  return r;
}

function updateRow(r, m) {
  r.m = m;
  r.name.replaceChildren(h('b', {}, m.name), ' ', h('span', { class: 'muted' }, `#${m.market_id}`),
    // replaceChildren() does not flatten: an array here would print as text.
    ...(m.high_exposure ? [' ', h('span', { class: 'tag he', title: 'in a firing High Exposure alert group or an open High Exposure incident' }, 'HIGH EXPOSURE')] : []),
    h('div', {}, m.event), h('div', { class: 'match muted' }, `${m.league} · `, matchLine(m)));
  // Runners: name, back price (flashes on change), liability if it wins; the
  // runner that would cost the book most stands out.
  const worst = Math.max(...m.selections.map((x) => x.liability_minor || 0));
  for (const sel of m.selections) {
    let p = r.prices.get(sel.selection_id);
    if (!p) {
      p = { name: h('span', { class: 'name' }), price: h('span', { class: 'price', 'data-selection': sel.selection_id }),
        liab: h('span', { class: 'liab' }) };
      r.prices.set(sel.selection_id, p);
      r.runners.append(p.name, p.price, p.liab);
    }
    p.name.textContent = runnerName(m, sel);
    p.name.title = p.name.textContent;
    const text = sel.odds || '–';
    if (p.price.textContent !== text) {
      if (p.price.textContent && !offlineSince) { p.price.classList.remove('flash'); void p.price.offsetWidth; p.price.classList.add('flash'); }
      p.price.textContent = text;
    }
    p.liab.textContent = money(sel.liability_minor || 0);
    p.liab.classList.toggle('top', worst > 0 && sel.liability_minor === worst);
  }
  r.liability.textContent = money(m.liability_minor);
  const age = m.staleness_ms;
  r.ageBar.classList.toggle('stale', !!m.stale);
  r.ageBar.firstChild.style.width = `${age === null ? 0 : Math.min(100, (100 * age) / m.staleness_limit_ms)}%`;
  r.health.replaceChildren(
    h('div', { class: m.stale ? 'error' : '' }, age === null ? `never priced · limit ${millis(m.staleness_limit_ms)}`
      : `${millis(age)} / ${millis(m.staleness_limit_ms)}`),
    h('div', { class: 'muted' }, `drift ${m.drift === null ? '–' : `${(m.drift * 100).toFixed(1)} %`}`),
    h('div', { class: 'bets' }, `p99 ${micros(m.accept_p99_us)} · ${m.bets_per_second.toFixed(1)} bets/s`));
  r.status.replaceChildren(h('span', { class: `tag status-${m.status}` }, m.status),
    m.status_reason ? h('div', { class: 'muted' }, m.status_reason) : '',
    m.cashout_frozen ? h('span', { class: 'tag frozen', title: m.cashout_reason }, 'cash-out frozen')
      : m.cashout_offers ? h('div', { class: 'muted', title: 'live cash-out offers on this market' },
        `${m.cashout_offers} cash-out offer${m.cashout_offers === 1 ? '' : 's'} live`) : '',
    m.stake_cap_minor ? h('span', { class: 'tag' }, `cap ${money(m.stake_cap_minor)}`) : '',
    m.hedge ? h('div', { class: 'muted', title: `worst case counting hedges ${money(m.hedge.worst_case)}` },
      `hedged ${money(m.hedge.matched_stake)} (${m.hedge.status})`) : '');
  r.suspend.textContent = m.status === 'open' ? 'Suspend' : 'Reopen';
  r.cashout.textContent = m.cashout_frozen ? 'Unfreeze cash-out' : 'Freeze cash-out';
}

// The filters: league and status, riskiest first or by match (kick-off,
// event, market: an order that does not move), 5 / 10 / 20 / all.
for (const id of ['#f-league', '#f-status', '#f-sort', '#f-count']) $(id).addEventListener('change', () => last && renderBoard(last));

function boardMarkets(s) {
  const league = $('#f-league').value, status = $('#f-status').value;
  const count = Number($('#f-count').value);
  let ms = s.markets.filter((m) => (!league || m.league === league) && (!status || m.status === status));
  if ($('#f-sort').value === 'match')
    ms = ms.slice().sort((a, b) => a.kickoff_ms - b.kickoff_ms || a.event_id - b.event_id || a.market_id - b.market_id);
  return { shown: count ? ms.slice(0, count) : ms, matching: ms.length };
}

function renderBoard(s) {
  const leagues = [...new Set(s.markets.map((m) => m.league))].sort();
  const sel = $('#f-league');
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (leagues.join('|') !== have.join('|')) {
    const keep = sel.value;
    sel.replaceChildren(h('option', { value: '' }, 'All'), ...leagues.map((l) => h('option', { value: l }, l)));
    sel.value = leagues.includes(keep) ? keep : '';
  }
  const { shown, matching } = boardMarkets(s);
  $('#board-count').textContent = `${shown.length} of ${matching} (the ${s.markets.length} markets of most liability)`;
  const body = $('#board tbody');
  const seen = new Set();
  shown.forEach((m, i) => {
    let r = rows.get(m.market_id);
    if (!r) rows.set(m.market_id, (r = marketRow(m)));
    updateRow(r, m);
    seen.add(m.market_id);
    if (body.children[i] !== r.tr) body.insertBefore(r.tr, body.children[i] || null);
  });
  for (const [id, r] of rows) if (!seen.has(id)) { r.tr.remove(); rows.delete(id); }
}

// The runbook of an SLO or alert ("docs/runbooks.md#odds-freshness"), served
// at /runbooks.html.
function runbookLink(runbook) {
  if (!runbook) return '';
  const anchor = runbook.includes('#') ? runbook.slice(runbook.indexOf('#')) : '';
  return h('a', { href: `/runbooks.html${anchor}`, target: '_blank', rel: 'noopener', class: 'runbook' }, 'runbook');
}

// Firing alerts, one line per alert name and league (a stale league fires
// one alert per market), worst first.
function renderAlerts(a) {
  const root = $('#alerts');
  if (!a) return root.replaceChildren(h('p', { class: 'muted' }, 'The incident loop is off.'));
  const groups = new Map();
  for (const x of a.alerts) {
    const key = `${x.name}|${x.labels.league || ''}|${x.labels.feed || ''}|${x.labels.slo || ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { alert: x, markets: new Set(), since: x.starts_at, n: 0 }));
    g.n += 1;
    if (x.labels.market_id) g.markets.add(x.labels.market_id);
    if (x.starts_at && x.starts_at < g.since) g.since = x.starts_at;
  }
  if (!groups.size) return root.replaceChildren(h('p', { class: 'muted' }, 'None.'));
  const list = [...groups.values()].sort((x, y) => (y.alert.labels.severity === 'page') - (x.alert.labels.severity === 'page') ||
    (x.since || '').localeCompare(y.since || ''));
  root.replaceChildren(...list.map((g) => {
    const l = g.alert.labels;
    const where = [l.league, l.feed && `feed ${l.feed}`, l.slo && `SLO ${l.slo}`, g.markets.size && `${g.markets.size} market${g.markets.size > 1 ? 's' : ''}`]
      .filter(Boolean).join(' · ');
    return h('div', { class: 'alert-row', 'data-alert': g.alert.name },
      h('div', { class: 'what' }, h('b', {}, g.alert.name), ' ', h('span', { class: `tag ${l.severity === 'page' ? 'bad' : ''}` }, l.severity || 'alert'),
        where ? h('div', { class: 'muted' }, where) : '',
        g.alert.annotations.summary ? h('div', {}, g.alert.annotations.summary) : ''),
      h('div', { class: 'muted' }, `since ${time(g.since)}`, h('div', {}, runbookLink(g.alert.annotations.runbook))));
  }));
}

function renderFeeds(f) {
  const root = $('#feeds');
  if (!f || !f.feeds.length) return root.replaceChildren(h('p', { class: 'muted' }, 'No feeds: fixture prices.'));
  const byName = new Map(f.feeds.map((x) => [x.name, x]));
  const sports = f.sports.map((sp) => {
    const active = byName.get(sp.active);
    const to = active && active.role === 'backup' ? 'primary' : 'backup';
    const btn = h('button', { type: 'button', 'data-switch': sp.sport, class: 'danger' }, `Switch to ${to}`);
    btn.addEventListener('click', () => confirmAction(`Switch ${sp.sport} to its ${to} feed?`, `Switch to ${to}`, () =>
      api('POST', `/v1/feeds/${encodeURIComponent(sp.sport)}/switch`, { to })));
    return h('div', { class: 'sport', 'data-sport': sp.sport },
      h('b', {}, sp.sport), ' active: ', h('code', { class: 'active' }, sp.active || '–'), ' ',
      sp.suspended_for_feed_down ? h('span', { class: 'tag bad' }, 'FEED DOWN') : '', ' ', btn);
  });
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['Feed', 'Role', 'State', 'Seq', 'Gaps', 'Schema skew'].map((t) => h('th', {}, t)))),
    h('tbody', {}, f.feeds.map((x) => h('tr', { 'data-feed': x.name },
      h('td', {}, x.name), h('td', {}, x.role),
      h('td', {}, h('span', { class: `tag ${x.state === 'up' ? 'ok' : 'bad'}` }, x.state)),
      h('td', { class: 'num' }, x.last_seq), h('td', { class: 'num' }, x.gaps),
      h('td', {}, (x.schema_skew || []).map((k) => h('span', { class: 'tag bad' }, `${k.league} ${k.version}`)))))));
  root.replaceChildren(...sports, table);
}

// Settlement: how late the money is (the oldest result still being paid, the
// last market's lag), what waits in the dead-letter queue, bets still open.
function renderSettlement(st) {
  const root = $('#settlement');
  if (!st) return root.replaceChildren(h('p', { class: 'muted' }, 'No settlement view.'));
  const secs = (ms) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
  const late = st.oldest_unpaid_age_ms !== null && st.oldest_unpaid_age_ms > 120000;
  root.replaceChildren(h('table', {}, h('tbody', {},
    h('tr', {}, h('th', {}, 'Paying now'), h('td', { class: 'num', 'data-settle': 'unpaid' },
      h('span', { class: `tag ${late ? 'bad' : 'ok'}` }, st.oldest_unpaid_age_ms === null ? 'nothing' : secs(st.oldest_unpaid_age_ms)))),
    h('tr', {}, h('th', {}, 'Last lag'), h('td', { class: 'num', 'data-settle': 'lag' }, secs(st.last_lag_ms))),
    h('tr', {}, h('th', {}, 'Dead letters'), h('td', { class: 'num', 'data-settle': 'dlq' },
      h('span', { class: `tag ${st.dlq_depth > 0 ? 'bad' : 'ok'}` }, String(st.dlq_depth)))),
    h('tr', {}, h('th', {}, 'Shadow mismatches'), h('td', { class: 'num' }, String(st.shadow_checks.mismatch))),
    h('tr', {}, h('th', {}, 'Results / open bets'), h('td', { class: 'num' }, `${st.results} / ${st.open_bets}`)))));
}

// Hedging (CO-4): the venue as the book sees it, then the newest hedge orders.
function renderHedging(hg) {
  const root = $('#hedging');
  if (!hg || !hg.enabled) return root.replaceChildren(h('p', { class: 'muted' }, 'Hedging is off.'));
  const v = hg.venue;
  const failing = v.consecutive_failures > 0;
  root.replaceChildren(h('table', {}, h('tbody', {},
    h('tr', {}, h('th', {}, `Venue ${v.name}`), h('td', { class: 'num', 'data-hedge': 'venue' },
      h('span', { class: `tag ${failing ? 'bad' : 'ok'}`, title: v.last_error || '' },
        failing ? `failing ×${v.consecutive_failures}` : 'answering'))),
    h('tr', {}, h('th', {}, 'Open / all'), h('td', { class: 'num', 'data-hedge': 'open' }, `${hg.open} / ${hg.total}`)),
    h('tr', {}, h('th', {}, 'Filled / rejected / failed calls'),
      h('td', { class: 'num' }, `${v.filled} / ${v.rejected} / ${v.failed}`)),
    ...hg.hedges.map((x) => h('tr', { 'data-hedge-id': x.hedge_id },
      h('th', { class: 'muted' }, `#${x.hedge_id} market ${x.market_id}`),
      h('td', { class: 'num' }, h('span', { class: `tag ${x.status === 'rejected' ? 'bad' : x.status === 'open' ? '' : 'ok'}` },
        `${x.status} ${money(x.matched_stake || x.stake)} @ ${x.matched_odds || x.odds}`)))))));
}

// Payments (WAL-1..6): each PSP route (active, breaker, its calls), what
// waits for a PSP's word, and the last T+0 reconciliation of each route.
function renderPayments(pm) {
  const root = $('#payments');
  if (!pm || !pm.enabled) return root.replaceChildren(h('p', { class: 'muted' }, 'No payment routes.'));
  const recon = (r) => {
    const x = r.reconciliation;
    if (!x) return h('span', { class: 'muted' }, 'not reconciled yet');
    if (x.error) return h('span', { class: 'tag bad', title: x.error }, 'report failed');
    const bad = x.mismatches > 0;
    return h('span', { class: `tag ${bad ? 'bad' : 'ok'}`, title: `${x.unsettled} unsettled` },
      bad ? `${x.mismatches} mismatches, ${x.duplicates} dup` : 'reconciled');
  };
  root.replaceChildren(h('table', {}, h('tbody', {},
    h('tr', {}, h('th', {}, 'Pending / timed out'), h('td', { class: 'num', 'data-payments': 'waiting' },
      `${pm.pending} / ${pm.timed_out}`)),
    h('tr', {}, h('th', {}, 'Duplicate charges'), h('td', { class: 'num', 'data-payments': 'duplicates' },
      h('span', { class: `tag ${pm.duplicates > 0 ? 'bad' : 'ok'}` }, String(pm.duplicates)))),
    ...pm.routes.flatMap((r) => [
      h('tr', { 'data-psp-route': r.name },
        h('th', {}, `${r.name}${r.active ? ' (active)' : ''}`),
        h('td', { class: 'num' }, h('span', { class: `tag ${r.breaker === 'open' ? 'bad' : 'ok'}` }, `breaker ${r.breaker}`))),
      h('tr', {}, h('th', { class: 'muted' }, 'sent / auth / decl / failed'),
        h('td', { class: 'num' }, `${r.sent} / ${r.authorised} / ${r.declined} / ${r.failed}`)),
      h('tr', {}, h('th', { class: 'muted' }, 'reconciliation'), h('td', { class: 'num', 'data-recon': r.name }, recon(r))),
    ]))));
}

// The journal (docs/kafka.md): this book's role, and on the Kafka journal
// its hot standby as the leader last heard it (applied seq, records behind,
// caught up, how long ago). A file journal has no standby: one host.
function renderJournal(j) {
  const root = $('#journal');
  if (!j) return root.replaceChildren(h('p', { class: 'muted' }, 'Not known.'));
  const rows = [
    h('tr', {}, h('th', {}, `Role (${j.journal} journal)`), h('td', { class: 'num', 'data-journal': 'role' },
      h('span', { class: `tag ${j.fenced ? 'bad' : 'ok'}` }, j.fenced ? 'fenced' : j.role))),
    h('tr', {}, h('th', {}, 'Last seq / takeovers'), h('td', { class: 'num' },
      `${j.seq} / ${j.takeovers}${j.last_takeover_ms != null ? ` (last ${(j.last_takeover_ms / 1000).toFixed(1)} s)` : ''}`)),
  ];
  const sb = j.standby;
  let standby;
  if (j.journal !== 'kafka') standby = h('span', { class: 'muted' }, 'none (one host)');
  else if (!sb) standby = h('span', { class: 'tag bad' }, 'none heard');
  else {
    const cls = sb.status === 'following' ? 'ok' : 'bad';
    standby = h('span', { class: `tag ${cls}`, title: `${sb.book} · state ${sb.state_hash || '?'}` },
      sb.status === 'following'
        ? `${sb.caught_up ? 'caught up' : 'catching up'} · ${sb.lag_records} behind`
        : `${sb.status} ${(sb.heard_ms_ago / 1000).toFixed(0)} s`);
  }
  rows.push(h('tr', {}, h('th', {}, 'Standby'), h('td', { class: 'num', 'data-journal': 'standby' }, standby)));
  if (sb) rows.push(h('tr', {}, h('th', { class: 'muted' }, 'standby applied seq'), h('td', { class: 'num' }, String(sb.applied_seq))));
  if (j.watch_error) rows.push(h('tr', {}, h('th', { class: 'muted' }, 'Kafka'),
    h('td', { class: 'num' }, h('span', { class: 'tag bad', title: j.watch_error }, 'no answer'))));
  root.replaceChildren(h('table', {}, h('tbody', {}, ...rows)));
}

// SLOs that something measures; the budget over the period, once the data
// covers the window its alerts trust (else "needs N h of data").
function renderSlos(s) {
  const body = $('#slos tbody');
  if (!s) {
    $('#slos-unwired').textContent = '';
    return body.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'The incident loop is off.')));
  }
  const wired = s.slos.filter((o) => o.wired !== false);
  const unwired = s.slos.filter((o) => o.wired === false).map((o) => o.name);
  $('#slos-unwired').textContent = unwired.length ? `Not measured yet (their hops are not built): ${unwired.join(', ')}.` : '';
  body.replaceChildren(...wired.map((o) => {
    const burn = (tier) => {
      const b = o.burn_rates.find((x) => x.tier === tier);
      return b ? `${Number(b.short).toFixed(1)}×` : '–';
    };
    const period = span(o.period_s);
    let budget;
    if (!o.has_data) budget = h('span', { class: 'muted' }, 'no data yet');
    else if (!o.budget_judged)
      budget = h('span', { class: 'muted', title: `budget over ${period}; ${span(o.data_s)} of data so far` },
        `needs ${span(o.budget_needs_s)} of data`);
    else budget = h('span', { title: `error budget left over ${period}` }, `${pct(o.error_budget_remaining, 1)} of ${period}`);
    return h('tr', { class: o.firing ? 'firing' : '', 'data-slo': o.name, title: o.path },
      h('td', {}, o.name, ' ', o.firing ? h('span', { class: 'tag bad' }, o.severity || 'firing') : '', ' ', runbookLink(o.runbook)),
      h('td', { class: `num ${o.has_data ? '' : 'muted'}` }, o.has_data ? pct(o.sli, 2) : '–'),
      h('td', { class: 'num' }, pct(o.target)),
      h('td', {}, budget),
      h('td', { title: 'burn rate over the short window of each tier; 1× spends exactly the budget' }, `${burn('fast')} · ${burn('slow')}`));
  }));
}

function renderIncidents(list) {
  const root = $('#incidents');
  if (!list.length) {
    incidentCards.clear();
    return root.replaceChildren(h('p', { class: 'muted' }, 'No incidents.'));
  }
  const cards = list.map((inc) => {
    const digest = JSON.stringify(inc);
    let c = incidentCards.get(inc.id);
    if (!c || c.digest !== digest) {
      const el = incidentCard(inc);
      if (c && c.details) el.querySelector('.details').replaceWith(c.details);
      c = { digest, el, details: c && c.details };
      incidentCards.set(inc.id, c);
    }
    return c.el;
  });
  root.replaceChildren(...cards);
}

function incidentCard(inc) {
  const actions = h('table', { class: 'actions' }, h('tbody', {}, inc.actions.map((a) => {
    const btns = [];
    if (a.status === 'pending_approval')
      btns.push(actionButton(inc, a, 'approve', 'Approve'));
    if (a.status === 'done' && !a.reverted_at)
      btns.push(actionButton(inc, a, 'revert', 'Revert'));
    return h('tr', { 'data-action-id': a.id },
      h('td', {}, time(a.at)), h('td', {}, a.action, a.value ? ` ${a.value}` : ''), h('td', {}, a.target),
      h('td', {}, a.automatic ? `playbook ${a.playbook}` : a.actor), h('td', {}, h('span', { class: 'tag' }, a.status)),
      h('td', {}, btns));
  })));
  const more = h('button', { type: 'button' }, 'Timeline, traces & post-mortem');
  const details = h('div', { class: 'details' });
  more.addEventListener('click', async () => {
    const r = await api('GET', `/v1/incidents/${inc.id}`);
    if (!r.ok) return log(`incident ${inc.id}: ${describeError(r)}`, true);
    const d = r.data;
    const fresh = h('div', { class: 'details' },
      h('ol', {}, d.timeline.map((e) => h('li', {}, `${time(e.at)} `, h('b', {}, e.step), ` ${e.what}`))),
      d.trace_ids.length ? h('p', {}, 'Bad traces: ', d.trace_ids.map((t) =>
        h('a', { href: `#trace=${t}`, class: 'trace-link', onclick: (ev) => { ev.preventDefault(); openTrace(t); } }, `${t.slice(0, 12)}… `))) : '',
      h('details', {}, h('summary', {}, 'Post-mortem (Markdown)'), h('pre', { class: 'postmortem' }, d.postmortem)));
    const c = incidentCards.get(inc.id);
    if (c) c.details = fresh;
    details.replaceWith(fresh);
  });
  const markets = inc.markets.length > 8 ? `${inc.markets.slice(0, 8).join(', ')}, …` : inc.markets.join(', ');
  return h('div', { class: `incident ${inc.status}`, 'data-incident': inc.id },
    h('h3', {}, `#${inc.id} ${inc.title} `, h('span', { class: `tag ${inc.status === 'resolved' ? 'ok' : 'bad'}` }, inc.status),
      h('span', { class: 'tag' }, inc.severity), inc.high_exposure ? h('span', { class: 'tag he' }, 'HIGH EXPOSURE') : ''),
    h('div', { class: 'timeline' },
      ['fault_at', 'detected_at', 'contained_at', 'recovered_at', 'resolved_at'].map((k) =>
        h('span', {}, `${k.replace('_at', '')}: `, h('b', {}, time(inc[k]))))),
    h('p', { class: 'impact' }, h('b', {}, `${inc.markets.length} market${inc.markets.length === 1 ? '' : 's'}`),
      inc.markets.length ? ` (${markets})` : '', ' · liability ', h('b', { class: 'exposure' }, money(inc.exposure_minor)),
      h('span', { class: 'muted' }, ' (peak while open)'), ` · alerts ${inc.alerts.join(', ')}`),
    inc.slice ? h('p', {}, 'Slice: ', h('code', {}, inc.slice)) : '',
    actions, more, details);
}

function actionButton(inc, a, verb, label) {
  return h('button', { type: 'button', 'data-verb': verb, class: verb === 'revert' ? 'danger' : '',
    onclick: () => confirmAction(`${label} action ${a.id} (${a.action} on ${a.target}) of incident ${inc.id}?`, label, () =>
      api('POST', `/v1/incidents/${inc.id}/actions/${a.id}/${verb}`, {})) }, label);
}

// --- charts (SVG, drawn at the element's own pixel size) ---------------------
const CH = 170, PAD_L = 52, PAD_R = 10, PAD_T = 18, PAD_B = 22;
const MIN_SPAN_MS = 2 * 60 * 1000, MAX_SPAN_MS = 15 * 60 * 1000;
// The window: the data there is, at least 2 and at most 15 minutes (a fresh
// demo fills the chart instead of its right edge).
function chartWindow(s) {
  const t1 = s.now_ms;
  const first = s.series.t_ms.length ? s.series.t_ms[0] : t1;
  return { t0: t1 - Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, t1 - first)), t1 };
}
// 1, 2, 2.5, 5 x 10^n: a step that gives about `n` ticks up to max.
function niceStep(max, n) {
  const raw = max / n, mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}
const chartGeom = {};  // chart id -> {t0, t1, w} for clicks and tests
// The client x of book time t_ms on a chart (tests click a point with it).
window.warroomChartX = (id, t) => {
  const g = chartGeom[id], box = document.getElementById(id).getBoundingClientRect();
  return box.left + PAD_L + ((t - g.t0) / (g.t1 - g.t0)) * (g.w - PAD_L - PAD_R);
};

// A value in ms on an axis: ms below a second, else seconds.
const tickLabel = (ms) => (ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : `${Number(ms.toFixed(3))} ms`);

function chart(el, s, lines, opts) {
  const { t0, t1 } = chartWindow(s);
  const w = Math.max(320, Math.floor(el.clientWidth));
  const ts = s.series.t_ms;
  let ymax = opts.min || 1;
  for (const l of lines) for (let i = 0; i < ts.length; ++i) if (ts[i] >= t0) ymax = Math.max(ymax, l.values[i]);
  if (opts.limit) ymax = Math.max(ymax, opts.limit * 1.15);
  const step = niceStep(ymax * 1.05, 4);
  ymax = Math.ceil((ymax * 1.05) / step) * step;
  const x = (t) => PAD_L + ((t - t0) / (t1 - t0)) * (w - PAD_L - PAD_R);
  const y = (v) => CH - PAD_B - (v / ymax) * (CH - PAD_T - PAD_B);
  let svg = `<svg width="${w}" height="${CH}" viewBox="0 0 ${w} ${CH}" role="img" aria-label="${opts.label}">`;
  for (let v = 0; v <= ymax + step / 2; v += step) {
    const yy = y(v).toFixed(1);
    svg += `<line class="grid" x1="${PAD_L}" y1="${yy}" x2="${w - PAD_R}" y2="${yy}"/>`;
    svg += `<text x="${PAD_L - 5}" y="${(Number(yy) + 4).toFixed(1)}" text-anchor="end">${tickLabel(v)}</text>`;
  }
  const spanMs = t1 - t0, tick = spanMs <= 3 * 60000 ? 30000 : spanMs <= 8 * 60000 ? 60000 : 180000;
  svg += `<line class="axis" x1="${PAD_L}" y1="${CH - PAD_B}" x2="${w - PAD_R}" y2="${CH - PAD_B}"/>`;
  for (let t = t1; t >= t0 - 1; t -= tick) {
    const xx = x(t).toFixed(1), ago = Math.round((t1 - t) / 1000);
    const label = ago === 0 ? 'now' : ago % 60 ? `−${ago} s` : `−${ago / 60} min`;
    svg += `<line class="axis" x1="${xx}" y1="${CH - PAD_B}" x2="${xx}" y2="${CH - PAD_B + 4}"/>`;
    svg += `<text x="${xx}" y="${CH - 5}" text-anchor="${ago === 0 ? 'end' : 'middle'}">${label}</text>`;
  }
  const shown = (opts.marks || []).filter((m) => m.t_ms >= t0 && m.t_ms <= t1);
  for (const m of shown) {
    const xx = x(m.t_ms).toFixed(1);
    svg += `<line class="mark ${m.kind}" x1="${xx}" y1="${PAD_T}" x2="${xx}" y2="${CH - PAD_B}"/>`;
    svg += `<text class="mark-n ${m.kind}" x="${xx}" y="${PAD_T - 5}" text-anchor="middle">${m.n}</text>`;
  }
  if (opts.limit) {
    const yy = y(opts.limit).toFixed(1);
    svg += `<line class="limit" x1="${PAD_L}" y1="${yy}" x2="${w - PAD_R}" y2="${yy}"/>`;
    svg += `<text x="${w - PAD_R - 2}" y="${(Number(yy) - 4).toFixed(1)}" text-anchor="end">limit ${tickLabel(opts.limit)}</text>`;
  }
  for (const l of lines) {
    const pts = [];
    for (let i = 0; i < ts.length; ++i) if (ts[i] >= t0) pts.push(`${x(ts[i]).toFixed(1)},${y(l.values[i]).toFixed(1)}`);
    svg += `<polyline class="${l.cls}" points="${pts.join(' ')}"/>`;
  }
  el.innerHTML = `${svg}</svg>`;  // numbers only: nothing from the book is interpolated as text
  // The marks' tooltips come from the book (alert labels, actors): DOM text, never markup.
  el.querySelectorAll('line.mark').forEach((line, i) => {
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = `${shown[i].n}. ${shown[i].kind} ${clockOf(shown[i].t_ms)}: ${shown[i].what}`;
    line.append(title);
  });
  chartGeom[el.id] = { t0, t1, w };
  el.dataset.t0 = t0;
  el.dataset.t1 = t1;
}

// Marks (red: an alert started firing; green: an action ran, a playbook's or
// an operator's) come with the snapshot; each is numbered on the charts and
// named in the list under them.
function renderCharts(s) {
  const { t0 } = chartWindow(s);
  const marks = s.marks.filter((m) => m.t_ms >= t0).map((m, i) => ({ ...m, kind: m.kind === 'alert' ? 'alert' : 'action', n: i + 1 }));
  chart($('#chart-latency'), s, [
    { cls: 'p50', values: s.series.p50_us.map((v) => v / 1000) },
    { cls: 'p99', values: s.series.p99_us.map((v) => v / 1000) }], { marks, label: 'accept latency p50 and p99 in ms' });
  const limit = s.markets.length ? Math.min(...s.markets.map((m) => m.staleness_limit_ms)) : 0;
  chart($('#chart-stale'), s, [{ cls: 'stale', values: s.series.stale_ms }], { limit, marks, min: 100,
    label: 'worst price age in ms' });
  const list = $('#chart-events');
  const digest = marks.map((m) => `${m.t_ms}${m.what}`).join('|');
  if (list.dataset.digest !== digest) {
    list.dataset.digest = digest;
    // Newest first, numbered as on the charts.
    list.replaceChildren(...marks.slice().reverse().map((m) =>
      h('li', { class: m.kind, value: m.n }, `${clockOf(m.t_ms)} ${m.kind === 'alert' ? 'alert' : 'action'}: ${m.what}`)));
  }
}

// Clicking the latency chart opens an exemplar trace of the points under the
// cursor: of the points within 3 px the slowest (p99) that carries an
// exemplar (the slowest accept-latency exemplar of its second). With none
// there, the slowest trace kept around that moment.
$('#chart-latency').addEventListener('click', async (ev) => {
  const el = ev.currentTarget;
  const g = chartGeom[el.id];
  if (!g || !last) return;
  const box = el.getBoundingClientRect();
  const msPerPx = (g.t1 - g.t0) / (g.w - PAD_L - PAD_R);
  const t = g.t0 + (ev.clientX - box.left - PAD_L) * msPerPx;
  const i = exemplarNear(last.series, t, Math.max(1000, 3 * msPerPx));
  if (i >= 0) {
    const exemplar = last.series.exemplar[i];
    log(`exemplar trace of ${clockOf(last.series.t_ms[i])} (p99 ${micros(last.series.p99_us[i])}): ${exemplar}`);
    return openTrace(exemplar);
  }
  const r = await api('GET', `/v1/traces?since=${Math.max(0, Math.round(t - 1000))}&limit=50`);
  if (!r.ok) return log(`traces: ${describeError(r)}`, true);
  const near = r.data.traces.filter((x) => x.start_ns / 1e6 <= t + 1000);
  if (!near.length) return log('no trace kept around that moment');
  log('no exemplar at that point: the slowest trace kept around it');
  openTrace(near[0].trace_id);
});

// Of the points within tol ms of t that carry an exemplar, the index of the
// one with the highest p99 (the nearer on a tie); -1 when none.
function exemplarNear(series, t, tol) {
  const ts = series.t_ms;
  let lo = 0, hi = ts.length;
  while (lo < hi) {  // first point at or after t - tol
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t - tol) lo = mid + 1; else hi = mid;
  }
  let best = -1;
  for (let i = lo; i < ts.length && ts[i] <= t + tol; ++i) {
    if (!series.exemplar[i]) continue;
    if (best < 0 || series.p99_us[i] > series.p99_us[best] ||
        (series.p99_us[i] === series.p99_us[best] && Math.abs(ts[i] - t) < Math.abs(ts[best] - t))) best = i;
  }
  return best;
}

// --- traces -----------------------------------------------------------------
async function openTrace(id) {
  const r = await api('GET', `/v1/traces/${id}`);
  if (!r.ok) return log(`trace ${id}: ${describeError(r)}`, true);
  const spans = r.data.spans.slice().sort((a, b) => a.start_ns - b.start_ns);
  const t0 = Math.min(...spans.map((x) => x.start_ns)), t1 = Math.max(...spans.map((x) => x.end_ns));
  const total = Math.max(1, t1 - t0);
  $('#trace-id').textContent = r.data.trace_id;
  // A synthetic check's bet (src/synthetic) stands out: it is not a customer's.
  const synthetic = spans.some((sp) => sp.attributes.synthetic === 'true');
  $('#trace').replaceChildren(h('p', { class: 'muted' },
    synthetic ? h('span', { class: 'tag synthetic', title: 'a synthetic check: no real money, no exposure' }, 'synthetic') : '',
    `${spans.length} spans · ${(total / 1e6).toFixed(3)} ms`),
    ...spans.map((sp) => h('div', { class: 'trace-row' },
      h('span', {}, `${sp.name} `, h('span', { class: 'muted' }, `${((sp.end_ns - sp.start_ns) / 1e6).toFixed(3)} ms`)),
      h('div', { class: 'trace-bar' }, h('i', { class: sp.error ? 'err' : '',
        style: `left:${(100 * (sp.start_ns - t0)) / total}%;width:${(100 * (sp.end_ns - sp.start_ns)) / total}%` })),
      h('div', { class: 'trace-attrs' }, Object.entries(sp.attributes).map(([k, v]) => `${k}=${v}`).join('  ')))));
  $('#trace-panel').hidden = false;
  $('#trace-panel').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}
$('#trace-close').addEventListener('click', () => { $('#trace-panel').hidden = true; });

$('#trace-search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = $('#trace-q').value.trim();
  if (/^[0-9a-f]{32}$/i.test(q)) return openTrace(q.toLowerCase());
  let path;
  const market = /^m(?:arket)?\s*:?\s*(\d+)$/i.exec(q);
  if (market) path = `/v1/traces?attr.market_id=${market[1]}&limit=1`;
  else if (/^\d+$/.test(q)) path = `/v1/traces?attr.bet_id=${q}&limit=1`;
  else if (/^slow/i.test(q)) path = `/v1/traces?since=${Math.max(0, (last ? last.now_ms : Date.now()) - 300000)}&limit=1`;
  else if (/^synth/i.test(q)) path = '/v1/traces?attr.synthetic=true&limit=1';
  else return log('search: a 32-hex trace id, a bet id, m<market id>, "slow" or "synthetic"', true);
  const r = await api('GET', path);
  if (!r.ok) return log(`search: ${describeError(r)}`, true);
  if (!r.data.traces.length) return log(`search "${q}": no trace kept`);
  openTrace(r.data.traces[0].trace_id);
});

// Charts follow the page's width.
window.addEventListener('resize', () => { if (last) renderCharts(last); });

// --- start --------------------------------------------------------------------
if (token) connect();
else askToken();
