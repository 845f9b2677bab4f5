// Compare: GET /api/v1/compare side by side; fields that differ are highlighted, and can be shown alone.
'use strict';
(async () => {
  const { api, el, badge } = Gantry;
  const ids = document.body.dataset.ids;
  if (!ids) return;
  const box = document.getElementById('comparison');
  const r = await api('GET', `/api/v1/compare?ids=${encodeURIComponent(ids)}`);
  if (!r.ok) {
    const alert = document.getElementById('compare-error');
    alert.hidden = false;
    alert.textContent = `${r.json?.title || 'HTTP ' + r.status}: ${r.json?.detail || ''}`;
    box.replaceChildren();
    return;
  }
  const c = r.json;
  const show = v => v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  document.getElementById('difference-count').textContent = `${c.differences} difference(s)`;
  box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'compare-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Field'), c.workloads.map(w => el('th', { scope: 'col' },
      el('a', { href: `/workloads/${w.id}` }, w.name), ' ', el('span', { class: 'muted' }, w.engine?.name || ''), ' ',
      badge('phase', w.phase))))),
    el('tbody', {}, c.fields.map(f => el('tr', { class: f.equal ? 'same' : 'diff', 'data-path': f.path },
      el('th', { scope: 'row', class: 'mono' }, f.path, f.equal ? '' : el('span', { class: 'sr-only' }, ' (differs)')),
      f.values.map(v => el('td', { class: 'mono wrap' }, show(v)))))))));
  document.getElementById('only-differences').addEventListener('change', e => {
    box.querySelectorAll('tr.same').forEach(tr => { tr.hidden = e.target.checked; });
  });
})();
