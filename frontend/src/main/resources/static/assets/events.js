// Events: one timeline across all engines, newest first; the form's filters stay in the URL.
'use strict';
(async () => {
  const { api, el, badge, ago, showProblem } = Gantry;
  const form = document.getElementById('event-filters');
  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  const query = new URLSearchParams([...params].filter(([, v]) => v));
  query.set('limit', '200');
  const r = await api('GET', `/api/v1/events?${query}`);
  const box = document.getElementById('timeline');
  if (!r.ok) { showProblem(form, document.getElementById('ev-error'), r); box.replaceChildren(); return; }
  const items = r.json.items || [];
  if (!items.length) { box.replaceChildren(el('p', { class: 'panel empty' }, 'No events match. Engines report events as workloads start, fail and scale; widen the filters or wait for the next sync.')); return; }
  box.replaceChildren(el('div', { class: 'table-wrap' }, el('table', { id: 'events-table' },
    el('thead', {}, el('tr', {}, ['When', 'Engine', 'Workload', 'Type', 'Reason', 'Message'].map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, items.map(e => el('tr', {},
      el('td', { title: e.time }, ago(e.time)), el('td', {}, e.engine?.name || ''),
      el('td', {}, e.workloadId ? el('a', { href: `/workloads/${e.workloadId}` }, e.workloadName || e.workloadId) : (e.workloadName || '')),
      el('td', {}, badge('type', e.type)), el('td', {}, e.reason || ''), el('td', { class: 'wrap' }, e.message || '')))))));
})();
