// Engines: the list with status, and for admins add/edit (tested before saving), sync and delete.
'use strict';
(() => {
  const { api, el, badge, ago, showProblem } = Gantry;
  const $ = id => document.getElementById(id);
  const admin = document.body.dataset.admin === 'true';
  const box = $('engines');
  const pairs = v => Object.fromEntries(v.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
    const i = l.indexOf('=');
    return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
  }));
  const lines = m => Object.entries(m || {}).map(([k, v]) => `${k}=${v}`).join('\n');

  const count = n => Number(n).toLocaleString('en-US');
  // "syncing 12,000 of 100,000" while a long full sync runs; the list is read again until it is done
  function syncing(e) {
    const s = e.sync;
    if (!s || s.state !== 'SYNCING') return '';
    return el('div', { class: 'muted sync-progress' },
      `syncing ${count(s.listed)}${s.expected != null ? ` of ${count(s.expected)}` : ''}`);
  }
  let again;

  async function load() {
    clearTimeout(again);
    const engines = (await api('GET', '/api/v1/engines')).json?.items || [];
    if (engines.some(e => e.sync?.state === 'SYNCING')) again = setTimeout(load, 2000);
    if (!engines.length) {
      box.replaceChildren(el('p', { class: 'panel empty' }, admin ? 'No engines yet: add one with the form below.' : 'No engines yet: ask an administrator to add one.'));
      return;
    }
    box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'engines-table' },
      el('thead', {}, el('tr', {}, ['Name', 'Kind', 'Endpoint', 'Status', 'Last full sync', 'Workloads', admin ? 'Actions' : null].filter(Boolean).map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, engines.map(e => el('tr', { 'data-engine': e.name },
        el('td', {}, el('a', { href: `/workloads?engine=${encodeURIComponent(e.name)}` }, e.name)), el('td', {}, e.kind),
        el('td', { class: 'mono wrap' }, e.endpoint), el('td', {}, badge('status', e.status), e.message ? el('div', { class: 'muted' }, e.message) : '', syncing(e)),
        el('td', { title: e.lastSyncAt || '' }, ago(e.lastSyncAt)), el('td', { class: 'num' }, String(e.workloadCount)),
        admin ? el('td', {}, actions(e)) : null))))));
  }

  function actions(e) {
    const edit = el('button', { type: 'button' }, 'Edit');
    edit.addEventListener('click', () => {
      $('e-id').value = e.id; $('e-name').value = e.name; $('e-kind').value = e.kind; $('e-endpoint').value = e.endpoint;
      $('e-labels').value = lines(e.labels); $('e-options').value = lines(e.options); $('e-credentials').value = '';
      $('engine-form-title').textContent = `Edit ${e.name}`; $('e-name').focus(); untested();
    });
    const sync = el('button', { type: 'button' }, 'Sync');
    sync.addEventListener('click', async () => { const r = await api('POST', `/api/v1/engines/${e.id}/sync`); if (!r.ok) showProblem(null, $('engine-error'), r); });
    const del = el('button', { type: 'button', class: 'danger' }, 'Delete');
    del.addEventListener('click', async () => {
      if (!confirm(`Forget engine ${e.name} and its workloads? Nothing on the engine is touched.`)) return;
      const r = await api('DELETE', `/api/v1/engines/${e.id}`);
      if (r.ok) load(); else showProblem(null, $('engine-error'), r);
    });
    return [edit, ' ', sync, ' ', del];
  }

  function body() {
    const credentials = pairs($('e-credentials').value);
    return { name: $('e-name').value.trim(), kind: $('e-kind').value, endpoint: $('e-endpoint').value.trim(),
      labels: pairs($('e-labels').value), options: pairs($('e-options').value),
      credentials: Object.keys(credentials).length ? credentials : null };
  }
  function untested() { $('engine-save').disabled = true; $('engine-test-result').hidden = true; }

  const form = $('engine-form');
  if (form) {
    form.addEventListener('input', untested);
    form.addEventListener('reset', () => { $('e-id').value = ''; $('engine-form-title').textContent = 'Add an engine'; untested(); });
    $('engine-test').addEventListener('click', async () => {
      $('engine-error').hidden = true;
      const r = await api('POST', '/api/v1/engines/test', body());
      if (!r.ok) { showProblem(form, $('engine-error'), r); return; }
      showProblem(form, null, { json: {} });
      const result = $('engine-test-result');
      result.hidden = false;
      result.className = `alert ${r.json.ok ? 'info' : 'error'}`;
      result.textContent = r.json.ok ? `Connected${r.json.version ? ': version ' + r.json.version : ''}. You can save it.`
        : `Cannot connect: ${r.json.message}`;
      $('engine-save').disabled = !r.json.ok;
    });
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const id = $('e-id').value;
      const r = await api(id ? 'PUT' : 'POST', id ? `/api/v1/engines/${id}` : '/api/v1/engines', body());
      if (!r.ok) { showProblem(form, $('engine-error'), r); return; }
      form.reset();
      load();
    });
  }
  Gantry.on('engine.status', load);
  load();
})();
