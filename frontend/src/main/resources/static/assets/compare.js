// Compare: GET /api/v1/compare side by side; fields that differ are highlighted, and can be shown alone.
'use strict';
(async () => {
  const { api, el, badge, diffTable } = Gantry;
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
  document.getElementById('difference-count').textContent = `${c.differences} difference(s)`;
  box.replaceChildren(diffTable('compare-table', c.workloads.map(w => [el('a', { href: `/workloads/${w.id}` }, w.name), ' ',
    el('span', { class: 'muted' }, w.engine?.name || ''), ' ', badge('phase', w.phase)]), c.fields));
  document.getElementById('only-differences').addEventListener('change', e => {
    box.querySelectorAll('tr.same').forEach(tr => { tr.hidden = e.target.checked; });
  });
})();
