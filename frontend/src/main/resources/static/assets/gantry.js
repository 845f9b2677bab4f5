// Shared helpers of the dashboard pages: API calls with the session's CSRF token, the live stream,
// operation progress, problem (RFC 9457) display and small formatters. No framework, no build.
'use strict';
const Gantry = (() => {
  const meta = name => document.querySelector(`meta[name="${name}"]`)?.content;
  const listeners = {};
  let source = null;

  /** Calls the REST API as the signed-in user: same session cookie, CSRF header on changes. */
  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET' && meta('csrf-header')) headers[meta('csrf-header')] = meta('csrf-token');
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    return { ok: r.ok, status: r.status, json, text };
  }

  /** Subscribes to one event of GET /api/v1/stream; the page shares one connection. */
  function on(event, fn) {
    (listeners[event] ||= []).push(fn);
    if (!source) connect();
    else source.addEventListener(event, e => fn(JSON.parse(e.data)));
  }

  function connect() {
    source = new EventSource('/api/v1/stream');
    const dot = document.getElementById('live');
    source.onopen = () => { if (dot) { dot.classList.add('on'); dot.title = 'Live updates: connected'; } document.body.dataset.live = 'on'; };
    source.onerror = () => { if (dot) { dot.classList.remove('on'); dot.title = 'Live updates: reconnecting'; } };
    for (const [event, fns] of Object.entries(listeners)) {
      fns.forEach(fn => source.addEventListener(event, e => fn(JSON.parse(e.data))));
    }
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    children.flat().forEach(c => e.append(c instanceof Node ? c : document.createTextNode(c ?? '')));
    return e;
  }

  function badge(prefix, value) {
    return el('span', { class: `badge ${prefix}-${value}` }, value ?? '');
  }

  function ago(iso) {
    if (!iso) return '–';
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (s < 60) return `${Math.max(s, 0)}s ago`;
    if (s < 3600) return `${Math.round(s / 60)}m ago`;
    if (s < 86400) return `${Math.round(s / 3600)}h ago`;
    return new Date(iso).toISOString().slice(0, 16).replace('T', ' ');
  }

  /** Shows a problem: its detail in the alert box, each {field, message} next to the input named by data-field. */
  function showProblem(form, alertBox, result) {
    form?.querySelectorAll('.field-error').forEach(e => e.remove());
    form?.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
    const p = result.json || {};
    let unplaced = [];
    for (const err of p.errors || []) {
      const input = form?.querySelector(`[data-field="${err.field}"]`)
        || form?.querySelector(`[data-field="${err.field.split(/[.[]/).slice(0, 2).join('.')}"]`);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        const msg = el('div', { class: 'field-error', id: `err-${input.id}`, role: 'alert' }, `${err.field}: ${err.message}`);
        input.setAttribute('aria-describedby', msg.id);
        input.insertAdjacentElement('afterend', msg);
      } else unplaced.push(`${err.field}: ${err.message}`);
    }
    if (alertBox) {
      alertBox.hidden = false;
      alertBox.textContent = [p.title || `HTTP ${result.status}`, p.detail, ...unplaced].filter(Boolean).join(' — ');
    }
  }

  const ops = {};
  /**
   * Shows an operation's progress in {@code container} until it ends: the row follows
   * operation.updated events, and a GET closes the gap if it finished before the box existed.
   */
  function track(operation, container, onEnd) {
    const row = el('div', { class: 'op', 'data-operation': operation.id, role: 'status' },
      el('strong', {}, operation.action), el('progress', { max: 100, value: operation.progress || 0 }),
      el('span', { class: 'op-state' }), el('span', { class: 'op-message muted' }));
    container.prepend(row);
    const apply = op => {
      // SUCCEEDED and FAILED are final: a RUNNING event or GET answer that arrives later is older news
      if (row.dataset.ended) return;
      row.querySelector('progress').value = op.progress;
      const state = row.querySelector('.op-state');
      state.replaceChildren(badge('state', op.state));
      row.querySelector('.op-message').textContent = op.message || '';
      row.dataset.state = op.state;
      if (op.state === 'SUCCEEDED' || op.state === 'FAILED') {
        row.dataset.ended = 'true';
        onEnd && onEnd(op);
      }
    };
    if (!Object.keys(ops).length) on('operation.updated', op => ops[op.id] && ops[op.id](op));
    ops[operation.id] = apply;
    apply(operation);
    api('GET', `/api/v1/operations/${operation.id}`).then(r => r.ok && apply(r.json));
  }

  /**
   * The page's tabs ([role=tab] with aria-controls): one panel shown at a time. A tab with data-hash is also
   * opened by the URL's #hash, so that a link can lead to it. Returns show(tab).
   */
  function tabs(onShow) {
    const all = [...document.querySelectorAll('[role=tab]')];
    const show = tab => {
      all.forEach(t => {
        t.setAttribute('aria-selected', String(t === tab));
        document.getElementById(t.getAttribute('aria-controls')).hidden = t !== tab;
      });
      if (tab.dataset.hash) history.replaceState(null, '', `#${tab.dataset.hash}`);
      else if (location.hash) history.replaceState(null, '', location.pathname + location.search);
      onShow && onShow(tab);
    };
    all.forEach(t => t.addEventListener('click', () => show(t)));
    const linked = all.find(t => t.dataset.hash && `#${t.dataset.hash}` === location.hash);
    if (linked) show(linked);
    return show;
  }

  /**
   * A field-by-field comparison as a table: the `fields` of GET /api/v1/compare or of a revision diff
   * ({path, equal, values: [one per column]}); differing rows are marked "diff", equal ones "same".
   */
  function diffTable(id, headers, fields) {
    const show = v => v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return el('div', { class: 'table-wrap' }, el('table', { id },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Field'), headers.map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, fields.map(f => el('tr', { class: f.equal ? 'same' : 'diff', 'data-path': f.path },
        el('th', { scope: 'row', class: 'mono' }, f.path, f.equal ? '' : el('span', { class: 'sr-only' }, ' (differs)')),
        f.values.map(v => el('td', { class: 'mono wrap' }, show(v))))))));
  }

  return { api, on, el, badge, ago, showProblem, track, tabs, diffTable };
})();
