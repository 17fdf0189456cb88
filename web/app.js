// Inplay war room: one live stream of snapshots (GET /v1/warroom/stream,
// Server-Sent Events read with fetch() because EventSource cannot send the
// Authorization header), drawn into a board, feeds, SLOs, incidents and two
// charts. Controls call the same operator API the playbooks call, each after
// a confirm step. Plain JS, no framework, no build step.
'use strict';

const TOKEN_KEY = 'inplay.operatorToken';
const $ = (sel) => document.querySelector(sel);
let token = sessionStorage.getItem(TOKEN_KEY) || '';
let last = null;            // latest snapshot
let stream = null;          // AbortController of the open stream
let lastFrameAt = 0;
const rows = new Map();     // market id -> row state
const incidentCards = new Map();  // incident id -> {digest, el}
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
  for (const c of kids.flat()) if (c !== null && c !== undefined && c !== false)
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const money = (minor) => (minor / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
// A latency in µs as text: µs under a millisecond, else ms with one decimal.
const micros = (us) => (us === null ? '–' : us < 1000 ? `${us} µs` : `${(us / 1000).toFixed(1)} ms`);
const time = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '–');

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

// Every control: confirm first, then call, then log the outcome.
function confirmAction(text, run) {
  const d = $('#confirm-dialog');
  $('#confirm-text').textContent = text;
  $('#confirm-reason').value = '';
  d.returnValue = '';
  d.onclose = async () => {
    if (d.returnValue !== 'ok') return;
    const reason = $('#confirm-reason').value.trim() || 'war room';
    try {
      const r = await run(reason);
      log(`${text} → ${r.ok ? 'done' : describeError(r)}`, !r.ok);
    } catch (e) {
      log(`${text} → ${e.message}`, true);
    }
  };
  d.showModal();
}

// --- the stream -------------------------------------------------------------
function setConn(on) {
  const c = $('#conn');
  c.className = `conn ${on ? 'on' : 'off'}`;
  c.textContent = on ? 'live' : 'offline';
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
      setConn(false);
      stream = null;
      return askToken('The token was refused (401).');
    }
    if (!r.ok) throw new Error(`stream answered HTTP ${r.status}`);
    setConn(true);
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
    if (ctl.signal.aborted) return;
    log(`stream: ${e.message}`, true);
  }
  setConn(false);
  if (stream === ctl) setTimeout(() => { if (stream === ctl) connect(); }, 1000);
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
    const stats = window.warroomStats;
    stats.renders += 1;
    keepLast(stats.render_ms, performance.now() - t0);
    keepLast(stats.frame_chars, text.length);
  } catch (e) {
    log(`render: ${e.message}`, true);
  }
}

// On the real clock a snapshot comes every second: 5 s of silence means a dead stream.
setInterval(() => {
  if (stream && last && last.clock === 'real' && Date.now() - lastFrameAt > 5000) {
    log('stream silent for 5 s: reconnecting', true);
    connect();
  }
}, 1000);

// --- rendering --------------------------------------------------------------
function render(s) {
  last = s;
  $('#clock').textContent = `book time ${s.now.slice(11, 19)} UTC · #${s.seq}`;
  renderBoard(s);
  renderFeeds(s.feeds);
  renderSlos(s.slos);
  renderIncidents(s.incidents ? s.incidents.incidents : []);
  renderCharts(s);
  const a = s.accept;
  $('#accept-now').textContent = a.count ? `p50 ${(a.p50_us / 1000).toFixed(1)} ms · p99 ${(a.p99_us / 1000).toFixed(1)} ms (${a.count} bets, 5 min)` : 'no bets yet';
}

function marketRow(m) {
  const r = { id: m.market_id, prices: new Map() };
  r.name = h('td');
  r.priceCell = h('td', { class: 'prices' });
  r.ageBar = h('div', { class: 'agebar' }, h('i'));
  r.ageText = h('div', { class: 'muted' });
  r.drift = h('td');
  r.liability = h('td');
  r.bets = h('td', { class: 'bets' });
  r.status = h('td', { class: 'status-cell' });
  r.suspend = h('button', { type: 'button', 'data-action': 'status' });
  r.cashout = h('button', { type: 'button', 'data-action': 'cashout' });
  r.cap = h('input', { type: 'number', min: 0, step: 1, placeholder: 'cap (minor)', 'aria-label': 'stake cap' });
  const capBtn = h('button', { type: 'button', 'data-action': 'stake-cap' }, 'Set cap');
  r.suspend.addEventListener('click', () => {
    const open = r.m.status === 'open';
    confirmAction(`${open ? 'Suspend' : 'Reopen'} market ${r.id} (${r.m.event}, ${r.m.name})?`, (reason) =>
      api('POST', `/v1/markets/${r.id}/status`, { status: open ? 'suspended' : 'open', reason }));
  });
  r.cashout.addEventListener('click', () => {
    const freeze = !r.m.cashout_frozen;
    confirmAction(`${freeze ? 'Freeze' : 'Unfreeze'} cash-out on market ${r.id} (${r.m.event}, ${r.m.name})?`, (reason) =>
      api('POST', `/v1/markets/${r.id}/cashout`, { frozen: freeze, reason }));
  });
  capBtn.addEventListener('click', () => {
    const cap = Number(r.cap.value);
    if (!Number.isInteger(cap) || cap < 0) return log('stake cap: a whole number of minor units (0 = none)', true);
    confirmAction(`Set the stake cap of market ${r.id} to ${cap ? money(cap) : 'none'}?`, () =>
      api('POST', `/v1/markets/${r.id}/stake-cap`, { cap }));
  });
  r.tr = h('tr', { 'data-market': m.market_id }, r.name, r.priceCell, h('td', {}, r.ageBar, r.ageText), r.drift,
    r.liability, r.bets, r.status, h('td', {}, h('div', { class: 'controls' }, r.suspend, r.cashout, r.cap, capBtn)));
  return r;
}

function renderBoard(s) {
  const body = $('#board tbody');
  const seen = new Set();
  s.markets.forEach((m, i) => {
    let r = rows.get(m.market_id);
    if (!r) rows.set(m.market_id, (r = marketRow(m)));
    r.m = m;
    seen.add(m.market_id);
    r.name.replaceChildren(h('b', {}, m.name), m.high_exposure ? h('span', { class: 'tag he' }, 'HIGH EXPOSURE') : '',
      h('div', { class: 'muted' }, `${m.event} · ${m.league} · ${m.event_state.replace('_', ' ')} · #${m.market_id}`));
    for (const sel of m.selections) {
      let p = r.prices.get(sel.selection_id);
      if (!p) {
        p = h('span', { class: 'price', 'data-selection': sel.selection_id });
        r.prices.set(sel.selection_id, p);
        r.priceCell.append(h('span', { class: 'sel' }, sel.name), p);
      }
      const text = sel.odds || '–';
      if (p.textContent !== text) {
        if (p.textContent) { p.classList.remove('flash'); void p.offsetWidth; p.classList.add('flash'); }
        p.textContent = text;
      }
    }
    const age = m.staleness_ms;
    r.ageBar.classList.toggle('stale', !!m.stale);
    r.ageBar.firstChild.style.width = `${age === null ? 0 : Math.min(100, (100 * age) / m.staleness_limit_ms)}%`;
    r.ageText.textContent = age === null ? `never priced / ${m.staleness_limit_ms} ms` : `${age} ms / ${m.staleness_limit_ms} ms`;
    r.drift.textContent = m.drift === null ? '–' : `${(m.drift * 100).toFixed(1)}%`;
    r.liability.textContent = money(m.liability_minor);
    r.bets.textContent = `${micros(m.accept_p99_us)} · ${m.bets_per_second.toFixed(1)}/s`;
    r.status.replaceChildren(h('span', { class: `tag status-${m.status}` }, m.status),
      m.status_reason ? h('div', { class: 'muted' }, m.status_reason) : '',
      m.cashout_frozen ? h('span', { class: 'tag frozen', title: m.cashout_reason }, 'cash-out frozen') : '',
      m.stake_cap_minor ? h('span', { class: 'tag' }, `cap ${money(m.stake_cap_minor)}`) : '');
    r.suspend.textContent = m.status === 'open' ? 'Suspend' : 'Reopen';
    r.cashout.textContent = m.cashout_frozen ? 'Unfreeze cash-out' : 'Freeze cash-out';
    if (body.children[i] !== r.tr) body.insertBefore(r.tr, body.children[i] || null);
  });
  for (const [id, r] of rows) if (!seen.has(id)) { r.tr.remove(); rows.delete(id); }
}

function renderFeeds(f) {
  const root = $('#feeds');
  if (!f || !f.feeds.length) return root.replaceChildren(h('p', { class: 'muted' }, 'No feeds: fixture prices.'));
  const byName = new Map(f.feeds.map((x) => [x.name, x]));
  const sports = f.sports.map((sp) => {
    const active = byName.get(sp.active);
    const to = active && active.role === 'backup' ? 'primary' : 'backup';
    const btn = h('button', { type: 'button', 'data-switch': sp.sport, class: 'danger' }, `Switch to ${to}`);
    btn.addEventListener('click', () => confirmAction(`Switch ${sp.sport} to its ${to} feed?`, () =>
      api('POST', `/v1/feeds/${encodeURIComponent(sp.sport)}/switch`, { to })));
    return h('div', { class: 'sport', 'data-sport': sp.sport },
      h('b', {}, sp.sport), ' active: ', h('code', { class: 'active' }, sp.active || '–'), ' ',
      sp.suspended_for_feed_down ? h('span', { class: 'tag bad' }, 'FEED DOWN') : '', ' ', btn);
  });
  const table = h('table', {}, h('thead', {}, h('tr', {}, ['Feed', 'Role', 'State', 'Seq', 'Gaps', 'Skew'].map((t) => h('th', {}, t)))),
    h('tbody', {}, f.feeds.map((x) => h('tr', { 'data-feed': x.name },
      h('td', {}, x.name), h('td', {}, x.role),
      h('td', {}, h('span', { class: `tag ${x.state === 'up' ? 'ok' : 'bad'}` }, x.state)),
      h('td', {}, x.last_seq), h('td', {}, x.gaps),
      h('td', {}, (x.schema_skew || []).map((k) => h('span', { class: 'tag bad' }, `${k.league} ${k.version}`)))))));
  root.replaceChildren(...sports, table);
}

function renderSlos(s) {
  const body = $('#slos tbody');
  if (!s) return body.replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'The incident loop is off.')));
  const pct = (x) => `${(Number(x) * 100).toFixed(3)}%`;
  body.replaceChildren(...s.slos.map((o) => {
    const burn = (tier) => {
      const b = o.burn_rates.find((x) => x.tier === tier);
      return b ? `${Number(b.short).toFixed(1)}/${Number(b.long).toFixed(1)}×` : '–';
    };
    return h('tr', { class: o.firing ? 'firing' : '', 'data-slo': o.name, title: o.path },
      h('td', {}, o.name, o.firing ? h('span', { class: 'tag bad' }, o.severity || 'firing') : ''),
      h('td', { class: o.has_data ? '' : 'muted' }, o.has_data ? pct(o.sli) : (o.wired === false ? 'not wired yet' : 'no data')),
      h('td', {}, pct(o.target)),
      h('td', {}, o.has_data ? pct(o.error_budget_remaining) : '–'),
      h('td', { title: 'short / long window' }, `${burn('fast')} · ${burn('slow')}`));
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
  const more = h('button', { type: 'button' }, 'Timeline & traces');
  const details = h('div', { class: 'details' });
  more.addEventListener('click', async () => {
    const r = await api('GET', `/v1/incidents/${inc.id}`);
    if (!r.ok) return log(`incident ${inc.id}: ${describeError(r)}`, true);
    const d = r.data;
    const fresh = h('div', { class: 'details' },
      h('ol', {}, d.timeline.map((e) => h('li', {}, `${time(e.at)} `, h('b', {}, e.step), ` ${e.what}`))),
      d.trace_ids.length ? h('p', {}, 'Bad traces: ', d.trace_ids.map((t) =>
        h('a', { href: `#trace=${t}`, class: 'trace-link', onclick: (ev) => { ev.preventDefault(); openTrace(t); } }, `${t.slice(0, 12)}… `))) : '');
    const c = incidentCards.get(inc.id);
    if (c) c.details = fresh;
    details.replaceWith(fresh);
  });
  return h('div', { class: `incident ${inc.status}`, 'data-incident': inc.id },
    h('h3', {}, `#${inc.id} ${inc.title} `, h('span', { class: `tag ${inc.status === 'resolved' ? 'ok' : 'bad'}` }, inc.status),
      h('span', { class: 'tag' }, inc.severity), inc.high_exposure ? h('span', { class: 'tag he' }, 'HIGH EXPOSURE') : ''),
    h('div', { class: 'timeline' },
      ['fault_at', 'detected_at', 'contained_at', 'recovered_at', 'resolved_at'].map((k) =>
        h('span', {}, `${k.replace('_at', '')}: `, h('b', {}, time(inc[k]))))),
    inc.slice ? h('p', {}, 'Slice: ', h('code', {}, inc.slice)) : '',
    h('p', { class: 'muted' }, `markets ${inc.markets.join(', ')} · alerts ${inc.alerts.join(', ')} · exposure ${money(inc.exposure_minor)}`),
    actions, more, details);
}

function actionButton(inc, a, verb, label) {
  return h('button', { type: 'button', 'data-verb': verb, class: verb === 'revert' ? 'danger' : '',
    onclick: () => confirmAction(`${label} action ${a.id} (${a.action} on ${a.target}) of incident ${inc.id}?`, () =>
      api('POST', `/v1/incidents/${inc.id}/actions/${a.id}/${verb}`, {})) }, label);
}

// --- charts (SVG) -----------------------------------------------------------
const W = 600, H = 150, PAD = 34;
function chart(el, s, lines, opts) {
  const t1 = s.now_ms, t0 = t1 - 15 * 60 * 1000;
  const ts = s.series.t_ms;
  let ymax = opts.min || 1;
  for (const l of lines) for (const v of l.values) ymax = Math.max(ymax, v);
  if (opts.limit) ymax = Math.max(ymax, opts.limit);
  ymax *= 1.1;
  const x = (t) => PAD + ((t - t0) / (t1 - t0)) * (W - PAD - 4);
  const y = (v) => H - 16 - (v / ymax) * (H - 24);
  let svg = `<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img">`;
  svg += `<line class="axis" x1="${PAD}" y1="${H - 16}" x2="${W}" y2="${H - 16}"/>`;
  svg += `<text x="2" y="12">${ymax.toFixed(ymax < 10 ? 1 : 0)} ${opts.unit}</text><text x="2" y="${H - 18}">0</text>`;
  svg += `<text x="${PAD}" y="${H - 3}">-15 min</text><text x="${W - 30}" y="${H - 3}">now</text>`;
  const shown = (opts.marks || []).filter((m) => m.t_ms >= t0 && m.t_ms <= t1);
  for (const m of shown) {
    const kind = m.kind === 'alert' ? 'alert' : 'action';
    svg += `<line class="mark ${kind}" x1="${x(m.t_ms).toFixed(1)}" y1="4" x2="${x(m.t_ms).toFixed(1)}" y2="${H - 16}"/>`;
  }
  if (opts.limit) svg += `<line class="limit" x1="${PAD}" y1="${y(opts.limit)}" x2="${W}" y2="${y(opts.limit)}"/>`;
  for (const l of lines) {
    const pts = [];
    for (let i = 0; i < ts.length; ++i) if (ts[i] >= t0) pts.push(`${x(ts[i]).toFixed(1)},${y(l.values[i]).toFixed(1)}`);
    svg += `<polyline class="${l.cls}" points="${pts.join(' ')}"/>`;
  }
  el.innerHTML = `${svg}</svg>`;  // numbers only: nothing from the book is interpolated as text
  // The marks' tooltips come from the book (alert labels, actors): DOM text, never markup.
  el.querySelectorAll('line.mark').forEach((line, i) => {
    const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
    title.textContent = `${shown[i].kind} ${time(new Date(shown[i].t_ms).toISOString())}: ${shown[i].what}`;
    line.append(title);
  });
  el.dataset.t0 = t0;
  el.dataset.t1 = t1;
}

// Marks (red: an alert started firing; blue: an action ran, a playbook's or
// an operator's) come with the snapshot.
function renderCharts(s) {
  const marks = s.marks;
  chart($('#chart-latency'), s, [
    { cls: 'p50', values: s.series.p50_us.map((v) => v / 1000) },
    { cls: 'p99', values: s.series.p99_us.map((v) => v / 1000) }], { unit: 'ms', marks });
  const limit = s.markets.length ? Math.min(...s.markets.map((m) => m.staleness_limit_ms)) : 0;
  chart($('#chart-stale'), s, [{ cls: 'stale', values: s.series.stale_ms }], { unit: 'ms', limit, marks });
}

// Clicking the latency chart opens an exemplar trace of the points under the
// cursor: a pixel spans a second or two of the 15 minutes, so of the points
// within 3 px the slowest (p99) that carries an exemplar (the slowest
// accept-latency exemplar of its second). With none there, the slowest trace
// kept around that moment.
$('#chart-latency').addEventListener('click', async (ev) => {
  const el = ev.currentTarget;
  if (!el.dataset.t0 || !last) return;
  const box = el.getBoundingClientRect();
  const frac = (ev.clientX - box.left) / box.width;
  const t0 = Number(el.dataset.t0), t1 = Number(el.dataset.t1);
  const msPerPx = (t1 - t0) / (((W - PAD - 4) / W) * box.width);
  const t = t0 + ((frac * W - PAD) / (W - PAD - 4)) * (t1 - t0);
  const i = exemplarNear(last.series, t, Math.max(1000, 3 * msPerPx));
  if (i >= 0) {
    const exemplar = last.series.exemplar[i];
    log(`exemplar trace of ${time(new Date(last.series.t_ms[i]).toISOString())} (p99 ${(last.series.p99_us[i] / 1000).toFixed(1)} ms): ${exemplar}`);
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

// --- start --------------------------------------------------------------------
if (token) connect();
else askToken();
