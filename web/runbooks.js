// The runbooks (docs/runbooks.md, served at /runbooks.md) as a page, so the
// war room's runbook links (/runbooks.html#odds-freshness) open at the right
// section. Reads the small Markdown the file uses — headings, paragraphs,
// lists, `code`, **bold**, [links](url) — into DOM nodes (text is never
// parsed as HTML). Each heading's id is its text, lower case, spaces as '-'.
'use strict';

function inline(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0, m;
  while ((m = re.exec(text))) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    let el;
    if (m[1] !== undefined) (el = document.createElement('code')).textContent = m[1];
    else if (m[2] !== undefined) (el = document.createElement('b')).textContent = m[2];
    else {
      el = document.createElement('a');
      el.textContent = m[3];
      el.href = m[4];
    }
    out.push(el);
    at = re.lastIndex;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

function render(md) {
  const root = document.getElementById('runbooks');
  root.replaceChildren();
  let para = [], list = null;
  const flush = () => {
    if (para.length) {
      const p = document.createElement('p');
      p.append(...inline(para.join(' ')));
      root.append(p);
    }
    para = [];
    list = null;
  };
  for (const line of md.split('\n')) {
    const head = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (head) {
      flush();
      const el = document.createElement(`h${head[1].length}`);
      el.id = head[2].trim().toLowerCase().replace(/\s+/g, '-');
      el.append(...inline(head[2]));
      root.append(el);
    } else if (item) {
      if (para.length) flush();
      if (!list) root.append((list = document.createElement('ul')));
      const li = document.createElement('li');
      li.append(...inline(item[1]));
      list.append(li);
    } else if (!line.trim()) {
      flush();
    } else {
      para.push(line.trim());
    }
  }
  flush();
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.classList.add('target');
      target.scrollIntoView();
    }
  }
}

fetch('/runbooks.md', { cache: 'no-store' })
  .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
  .then(render)
  .catch((e) => { document.getElementById('runbooks').textContent = `The runbooks could not be loaded: ${e.message}`; });
